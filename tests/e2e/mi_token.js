// Run by test_sdk.py: @azure/identity's ManagedIdentityCredential, unmodified, in a
// process "on a host" (the environment from `aksemu env --identity`); it gets an
// ARM token and lists resource groups with it. Prints the group names as JSON.
const { ManagedIdentityCredential } = require("@azure/identity");

async function main() {
  const cred = new ManagedIdentityCredential({ clientId: process.env.AZURE_CLIENT_ID });
  const token = await cred.getToken("https://management.azure.com/.default");
  const url = `${process.env.AKSEMU_ARM_URL}/subscriptions/${process.env.AZURE_SUBSCRIPTION_ID}/resourcegroups?api-version=2024-11-01`;
  const resp = await fetch(url, { headers: { Authorization: `Bearer ${token.token}` } });
  const body = await resp.json();
  console.log(JSON.stringify({ status: resp.status, groups: (body.value || []).map((g) => g.name) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
