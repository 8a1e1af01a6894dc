// Similar questions while asking: a moment after the member stops typing the title, questions that may answer it
// already appear under the field (the same list templates/forums/_similar.html shows without JavaScript, after
// "Check for similar questions"). Progressive enhancement only: the ask form works without this file.

const region = document.querySelector("[data-similar-url]");
const title = region && document.getElementById(region.dataset.similarFor);
const WAIT_MS = 400;
const MIN_CHARS = 3; // letters or digits, as community/forums/similar.py counts them

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function show(topics) {
  if (!topics.length) {
    region.replaceChildren();
    return;
  }
  const box = element("div", "similar-box");
  const list = element("ul", "similar-list");
  for (const topic of topics) {
    const item = element("li");
    const link = element("a", "", topic.title);
    link.href = topic.url;
    item.append(link);
    if (topic.solved) item.append(" ", element("span", "tag tag-ok", "Solved"));
    if (topic.answer_excerpt) item.append(element("p", "similar-excerpt", `Accepted answer: ${topic.answer_excerpt}`));
    list.append(item);
  }
  box.append(element("h2", "similar-head", "Similar questions: one may answer yours already"), list);
  region.replaceChildren(box);
}

if (region && title) {
  let timer = null;
  let pending = null;
  // After "Check for similar questions" the server has listed them already; after a preview or a refusal, look now.
  let shown = region.childElementCount ? title.value.trim() : "";

  const look = async () => {
    const words = title.value.trim();
    if (words === shown) return;
    shown = words;
    if (pending) pending.abort(); // an older answer must not replace a newer one
    if ((words.match(/[\p{L}\p{N}_]/gu) || []).length < MIN_CHARS) {
      show([]);
      return;
    }
    pending = new AbortController();
    try {
      const address = `${region.dataset.similarUrl}?${new URLSearchParams({ title: words })}`;
      const response = await fetch(address, { signal: pending.signal, headers: { Accept: "application/json" } });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.startsWith("application/json")) return; // signed out meanwhile, or a hiccup
      show((await response.json()).topics || []);
    } catch (error) {
      if (error.name !== "AbortError") shown = null; // try again at the next pause
    }
  };

  title.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(look, WAIT_MS);
  });
  look();
}
