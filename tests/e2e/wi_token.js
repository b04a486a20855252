// Run by test_workload_identity.py: @azure/identity's WorkloadIdentityCredential,
// unmodified, with instance discovery off, in a process "as a pod" (the
// environment the webhook injects, authority pointed at aksemu). Prints the token.
const { WorkloadIdentityCredential } = require("@azure/identity");

async function main() {
  const cred = new WorkloadIdentityCredential({ disableInstanceDiscovery: true });
  const token = await cred.getToken("https://management.azure.com/.default");
  console.log(token.token);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
