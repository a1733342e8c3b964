// `<article-cards>` in React 19 JSX: attributes, properties and `options`
// type-check, and a wrong one does not.
import type {} from "article-cards/react";

export const ok = (
  <article-cards src="/bundle.json" limit={3} excerptLines={2} options={{ layout: "list" }}>
    <a href="/news">Latest news</a>
  </article-cards>
);

// @ts-expect-error: not an option of the element.
export const wrong = <article-cards src="/bundle.json" colour="red" />;
