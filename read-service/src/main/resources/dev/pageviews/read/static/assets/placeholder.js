// Re-queries today's views after every commit the stream announces: no polling.
const siteId = document.querySelector('meta[name="pageviews-site-id"]').content;
async function refresh() {
  const answer = await fetch('/api/v2/query', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({site_id: siteId, metrics: ['pageviews'], date_range: 'day'})
  });
  if (answer.ok) {
    const body = await answer.json();
    document.getElementById('today').textContent = body.results[0].metrics[0];
  }
}
const stream = new EventSource('/api/v2/stream');
stream.onmessage = (event) => {
  document.getElementById('seq').textContent = JSON.parse(event.data).seq;
  refresh();
};
refresh();
