// `<article-cards>` in React 19 JSX. Reference it once in your app:
//   import type {} from "article-cards/react";
// React 19 sets the element's properties (`limit`, `options`, …) and adds
// listeners for `on<event name>` props; a colon-named event cannot be
// written as a JSX attribute, so listen with a ref (see README, "React").
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type { ArticleCardsElement, ArticleCardsProps } from "./index.js";

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "article-cards": DetailedHTMLProps<HTMLAttributes<ArticleCardsElement>, ArticleCardsElement> &
        ArticleCardsProps;
    }
  }
}
