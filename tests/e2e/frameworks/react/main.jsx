import "article-cards/define";
import { useState } from "react";
import { createRoot } from "react-dom/client";

function App() {
  const [selected, setSelected] = useState("");
  // React 19 adds a listener for an `on…` prop of a custom element, by the
  // name after `on`; a colon-named event is not valid JSX attribute syntax,
  // so the prop is spread.
  const events = {
    "onarticle-cards:select": (event) => {
      event.preventDefault();
      setSelected(event.detail.id);
    },
  };
  return (
    <main>
      <h1>React</h1>
      <p id="selected">{selected}</p>
      <article-cards src="/bundle.json" limit={3} target="_self" options={{ sort: "newest" }} {...events}>
        <a href="/news">Latest news</a>
      </article-cards>
    </main>
  );
}

createRoot(document.getElementById("app")).render(<App />);
