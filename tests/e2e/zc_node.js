// Run by test_zero_config.py under `aksemu exec`: @azure/identity's
// DefaultAzureCredential and @azure/arm-containerservice with default settings
// (no endpoint or authority in code). Lists the clusters, and with
// ZC_MANAGED_IDENTITY set, gets a token from ManagedIdentityCredential (IMDS at
// 169.254.169.254, through the proxy) instead. Prints JSON.
const { DefaultAzureCredential, ManagedIdentityCredential } = require("@azure/identity");
const { ContainerServiceClient } = require("@azure/arm-containerservice");

async function main() {
  if (process.env.ZC_MANAGED_IDENTITY) {
    const cred = new ManagedIdentityCredential({ clientId: process.env.AZURE_CLIENT_ID });
    const token = await cred.getToken("https://management.azure.com/.default");
    const claims = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());
    console.log(JSON.stringify({ oid: claims.oid }));
    return;
  }
  const client = new ContainerServiceClient(new DefaultAzureCredential(), process.env.AZURE_SUBSCRIPTION_ID);
  const names = [];
  for await (const c of client.managedClusters.list()) {
    names.push(c.name);
  }
  console.log(JSON.stringify({ clusters: names }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
