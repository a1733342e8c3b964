// The module API: `update` merges a part, `replace` needs whole options,
// element properties mirror the attributes, and the select event is typed.
import { defineElement, mount, version } from "article-cards";
import "article-cards/define";

export async function use(element: HTMLElement): Promise<string> {
  const handle = await mount(element, { src: "/bundle.json" });
  handle.update({ layout: "list" });
  handle.replace({ src: "/other.json" });
  // @ts-expect-error: replacing needs `src`.
  handle.replace({ layout: "list" });
  const el = document.createElement("article-cards");
  el.limit = 6;
  el.topics = ["science", "space"];
  el.options = { show: ["image"] };
  el.addEventListener("article-cards:select", (event) => {
    event.preventDefault();
    console.log(event.detail.id);
  });
  defineElement("news-cards");
  return version;
}
