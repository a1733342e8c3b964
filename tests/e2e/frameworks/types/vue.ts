// `<article-cards>` among Vue's global components.
import type { GlobalComponents } from "vue";
import type {} from "article-cards/vue";

type Props = InstanceType<GlobalComponents["article-cards"]>["$props"];
export const ok: Props = { src: "/bundle.json", limit: 3, options: { layout: "list" } };
// @ts-expect-error: not an option of the element.
export const wrong: Props = { src: "/bundle.json", colour: "red" };
