// `<article-cards>` among Svelte's elements.
import type { SvelteHTMLElements } from "svelte/elements";
import type {} from "article-cards/svelte";

type Props = SvelteHTMLElements["article-cards"];
export const ok: Props = {
  src: "/bundle.json",
  limit: 3,
  options: { layout: "list" },
  "onarticle-cards:select": (event) => event.detail.url.length,
};
// @ts-expect-error: `limit` takes no object.
export const wrong: Props = { src: "/bundle.json", limit: { n: 3 } };
