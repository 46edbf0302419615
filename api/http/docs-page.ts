/**
 * `/api/docs`: a plain page that renders `/api/openapi.json` with no script from a CDN
 * (CDN-hosted Swagger UI renders blank offline) and no inline script (the CSP forbids it). It lists
 * every operation with its schema.
 */
export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Shuangfu API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:16px;color:#1f2328}
h1{font-size:22px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.op{margin:10px 0;padding:8px 12px;border:1px solid #ddd;border-radius:6px}
.m{display:inline-block;min-width:56px;font-weight:700;text-transform:uppercase}
.get{color:#0969da}.post{color:#1a7f37}.patch{color:#9a6700}.delete{color:#cf222e}
details pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px}
</style></head><body>
<h1>Shuangfu (双扶) points API</h1>
<p>Generated from the same zod schemas that validate requests: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script src="/api/docs.js" defer></script>
</body></html>`;

/** The page's script, served as `/api/docs.js`: the CSP allows no inline script. */
export const docsScript = `fetch('/api/openapi.json').then(r=>r.json()).then(spec=>{
  const byTag={};
  for(const [path,ops] of Object.entries(spec.paths||{}))for(const [method,op] of Object.entries(ops)){
    const tag=(op.tags&&op.tags[0])||'other';(byTag[tag]=byTag[tag]||[]).push({path,method,op});}
  const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  document.getElementById('ops').innerHTML=Object.entries(byTag).map(([tag,ops])=>'<h2>'+esc(tag)+'</h2>'+ops.map(({path,method,op})=>
    '<div class="op"><span class="m '+method+'">'+method+'</span> <code>/api'+esc(path)+'</code> — '+esc(op.summary||'')+
    '<details><summary>schema</summary><pre>'+esc(JSON.stringify({request:op.requestBody,parameters:op.parameters,responses:op.responses},null,1))+'</pre></details></div>').join('')).join('');
});
`;
