// Runs graphql-http's GraphQL-over-HTTP server audits against the endpoint given as the
// first argument (e.g. http://127.0.0.1:8080/graphql) and exits non-zero unless every
// audit passes: MUST, SHOULD and MAY alike.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}

const audits = serverAudits({ url });
let passed = 0;
for (const audit of audits) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    passed++;
    continue;
  }
  let detail = result.reason;
  if (result.response) {
    const body = await result.response.text().catch(() => '');
    detail += ` (got ${result.response.status} ${body.slice(0, 300)})`;
  }
  console.log(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${detail}`);
}
console.log(`graphql-http audit: ${passed}/${audits.length} passed`);
process.exit(passed === audits.length ? 0 : 1);
