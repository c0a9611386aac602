// The Azure Blob emulator (npm azurite) on 127.0.0.1, in memory, with one
// container made for Hale. Prints {"endpoint", "container", "account",
// "key"} as its first line when ready. Azurite runs inside this process, so
// stopping the process stops it.
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";

const require = createRequire(import.meta.url);
// The emulator's well-known development account (public, documented by Azure).
const account = "devstoreaccount1";
const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const container = process.env.CONTAINER || "hale";

const port = await new Promise((resolve) => {
  const probe = createServer();
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

// Azurite's blob entry point reads its options from argv and logs to stdout.
const quiet = console.log;
console.log = () => {};
process.argv = [process.argv[0], "azurite-blob", "--blobHost", "127.0.0.1", "--blobPort", String(port),
  "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry"];
require("azurite/dist/src/blob/main.js");

const endpoint = `http://127.0.0.1:${port}/${account}`;
const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account, key));
for (let attempt = 0; ; attempt++) {
  try {
    await service.getContainerClient(container).createIfNotExists();
    break;
  } catch (error) {
    if (attempt > 100) throw error;
    await new Promise((r) => setTimeout(r, 100));
  }
}
quiet(JSON.stringify({ endpoint, container, account, key }));
setInterval(() => {}, 1 << 30);
