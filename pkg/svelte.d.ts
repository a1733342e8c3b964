// `<article-cards>` in Svelte 5 templates. Reference it once:
//   import type {} from "article-cards/svelte";
import type { HTMLAttributes } from "svelte/elements";
import type {
  ArticleCardsElement,
  ArticleCardsProps,
  ReadyDetail,
  ErrorDetail,
  SelectDetail,
} from "./index.js";

declare module "svelte/elements" {
  interface SvelteHTMLElements {
    "article-cards": HTMLAttributes<ArticleCardsElement> &
      ArticleCardsProps & {
        "onarticle-cards:ready"?: (event: CustomEvent<ReadyDetail>) => void;
        "onarticle-cards:error"?: (event: CustomEvent<ErrorDetail>) => void;
        "onarticle-cards:select"?: (event: CustomEvent<SelectDetail>) => void;
      };
  }
}
