// `<article-cards>` in Vue templates (Volar / vue-tsc). Reference it once:
//   import type {} from "article-cards/vue";
// and tell the compiler it is a custom element
// (`compilerOptions.isCustomElement: (tag) => tag === "article-cards"`).
import type { DefineComponent } from "vue";
import type { ArticleCardsProps, ReadyDetail, ErrorDetail, SelectDetail } from "./index.js";

declare module "vue" {
  interface GlobalComponents {
    "article-cards": DefineComponent<
      ArticleCardsProps & {
        "onArticle-cards:ready"?: (event: CustomEvent<ReadyDetail>) => void;
        "onArticle-cards:error"?: (event: CustomEvent<ErrorDetail>) => void;
        "onArticle-cards:select"?: (event: CustomEvent<SelectDetail>) => void;
      }
    >;
  }
}
