// Mounts the fixture bundle with the layout in the query (`?layout=list`),
// related strips off as the README advises for a bundle without any;
// `window.__ready` is set once the cards are rendered.
import { mount } from "/pkg/index.js";

const layout = new URLSearchParams(location.search).get("layout") || "grid";
const host = document.getElementById("news");
host.addEventListener("article-cards:ready", () => {
  window.__ready = true;
});
await mount(host, { src: "/fixtures/bundle.json", layout, limit: 4, theme: "light", label: "Latest news", related: false });
