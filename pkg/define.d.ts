// `import "article-cards/define"` registers `<article-cards>`; the element's
// type is declared with the rest of the API.
export {};
import "./index.js";
