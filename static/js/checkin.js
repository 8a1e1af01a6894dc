// The check-in page's live count: asks the server every 5 seconds while the page is visible. Without JavaScript
// the count is the one the page was loaded with (each check-in reloads the page).
const live = document.querySelector("[data-live-count]");
if (live) {
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(live.dataset.liveCount, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      live.querySelector("[data-checked-in]").textContent = data.checked_in;
    } catch (error) {
      // offline for a moment at the door: the next round tries again
    }
  };
  setInterval(refresh, 5000);
}
