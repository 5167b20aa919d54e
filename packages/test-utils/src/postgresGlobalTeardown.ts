/** Jest global teardown: stops the server {@link ./postgresGlobalSetup} started. */
export default async function teardown() {
  await globalThis.orochiTestPostgres?.stop();
}
