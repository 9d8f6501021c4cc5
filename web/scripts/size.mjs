// Prints the gzip-compressed JavaScript the login route loads: the entry chunk and every chunk
// it imports statically (from dist/.vite/manifest.json). Fails above the 300 KB budget.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist");
const manifest = JSON.parse(fs.readFileSync(path.join(dist, ".vite/manifest.json"), "utf8"));
const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const seen = new Set();
(function walk(key) {
  if (seen.has(key)) return;
  seen.add(key);
  for (const dep of manifest[key].imports ?? []) walk(dep);
})(entry);
let raw = 0;
let gz = 0;
for (const key of seen) {
  const buf = fs.readFileSync(path.join(dist, manifest[key].file));
  raw += buf.length;
  gz += zlib.gzipSync(buf, { level: 9 }).length;
}
const kb = (n) => (n / 1024).toFixed(1);
const budget = 300 * 1024;
console.log(
  `web: login route JavaScript ${kb(gz)} KB gzip (${kb(raw)} KB raw, ${seen.size} chunk(s)); budget 300 KB`,
);
if (gz > budget) {
  console.error("web: over the 300 KB budget for the login route");
  process.exit(1);
}
