// Handler logs are asserted by the log-safety test, which raises the level itself; elsewhere they are noise.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
