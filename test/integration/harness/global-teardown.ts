/** Stops DynamoDB Local; Jest runs this whether the tests passed or failed. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__OPTLINE_DDB__?.stop();
  globalThis.__OPTLINE_DDB__ = undefined;
}
