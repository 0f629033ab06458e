import { turnOffTemplateValidation } from './template-validation';

// Every integration test file synthesizes the Data stack through the local server; see template-validation.ts.
turnOffTemplateValidation();
