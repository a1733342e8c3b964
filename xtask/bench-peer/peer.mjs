// The bundler's peer in `cargo xtask bench bundle --peer`: what a site
// would write in a few lines of Node without article-cards. It reads every
// `.md` file under DIR, parses its front matter with gray-matter (js-yaml
// underneath) and writes one JSON array of the front matter objects to OUT.
// No validation, no cleaning, no related articles: the floor of "front
// matter to JSON" in Node, so the comparison flatters the peer.
//
//   node peer.mjs DIR OUT

import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import matter from "gray-matter";

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error("usage: node peer.mjs DIR OUT");
  process.exit(2);
}

const entries = await readdir(dir, { recursive: true, withFileTypes: true });
const files = entries
  .filter((e) => e.isFile() && e.name.endsWith(".md"))
  .map((e) => path.join(e.parentPath ?? e.path, e.name))
  .sort();

const articles = [];
for (const file of files) {
  const text = await readFile(file, "utf8");
  // gray-matter caches parses by content unless given options; an empty
  // options object turns the cache off, as a fresh run would be.
  const { data } = matter(text, {});
  articles.push(data);
}
await writeFile(out, JSON.stringify(articles));
console.error(`peer: ${articles.length} files`);
