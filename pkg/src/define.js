// `import "article-cards/define"`: registers `<article-cards>` as a side
// effect, for apps that only use the element (React, Vue, Svelte templates).
// A name already taken (by this package or another) is left as it is.

import { defineElement } from "./element.js";

defineElement();
