// The partnership network explorer: draws partnershipNetwork with sigma.js, filtered with
// NetworkFilter, and asks the API for neighbourhoods and shortest paths. Every request
// carries the visitor's key, so the drawing shows what the API shows that caller.
(() => {
  'use strict';
  const { Graph, Sigma, NodeCircleProgram, NodeSquareProgram, forceAtlas2 } = window.ExploreLib;
  const $ = (id) => document.getElementById(id);
  const started = performance.now();

  const COLOUR = { MUSEUM: '#d95f02', COMMUNITY: '#1f78b4' };
  const SHAPE = { MUSEUM: 'square', COMMUNITY: 'circle' };
  const DIM_NODE = '#e4e4e4';
  const DIM_EDGE = '#f0f0f0';
  const EDGE = '#b9b9b9';
  const PATH = '#c2185b';
  const KEY_STORAGE = 'explore:key';

  const NETWORK = `query ExploreNetwork($filter: NetworkFilter) {
  partnershipNetwork(filter: $filter) {
    stats { nodeCount edgeCount componentCount density }
    nodes { id kind label degree weightedDegree betweenness component }
    edges { id source target title status weight startDate endDate maxLevel }
  }
}`;
  // What the filters offer: programmes with their outcomes, and the museums and years of
  // the network with the sample choice alone.
  const CATALOGUE = `query ExploreCatalogue($filter: NetworkFilter) {
  programmes(first: 100) { nodes { id name outcomes { code title } } }
  partnershipNetwork(filter: $filter) { nodes { id kind label } edges { startDate endDate } }
}`;
  const NEIGHBOURHOOD = `query ExploreNeighbourhood($id: ID!, $depth: Int, $filter: NetworkFilter) {
  neighbourhood(id: $id, depth: $depth, filter: $filter) { nodes { id } edges { id } }
}`;
  const PATH_QUERY = `query ExplorePath($from: ID!, $to: ID!, $filter: NetworkFilter) {
  shortestPath(from: $from, to: $to, filter: $filter) { id label }
}`;
  const VIEWER = '{ viewer { role museums { name } } }';
  // The records as the playground opens them.
  const RECORD = {
    MUSEUM: `query Museum($id: ID!) {
  museum(id: $id) {
    id name kind description city region country website sample
    partnerships(first: 50) {
      totalCount
      nodes { id title status startDate endDate participationModel community { id name kind } }
    }
  }
}`,
    COMMUNITY: `query Community($id: ID!) {
  community(id: $id) {
    id name kind description area sample
    partnerships(first: 50) {
      totalCount
      nodes { id title status startDate endDate participationModel museum { id name kind } }
    }
  }
}`,
  };

  const graph = new Graph({ type: 'undirected', multi: true });
  const state = {
    sizeBy: 'betweenness',
    filter: {},
    selected: null, // the node whose panel is open
    neighbourhood: null, // { nodes: Set, edges: Set } around the selected node
    path: null, // { nodes: Set, edges: Set, ids: [] } between selected and pathEnd
    pathEnd: null,
    picking: false, // the next node chosen ends a path from the selected one
    hovered: null,
    years: { min: 2012, max: new Date().getFullYear() },
    draws: 0,
  };
  const timings = {};
  let loadSeq = 0;
  let catalogueSeq = 0;
  let layoutRun = 0;

  // Authorization: the key field, kept in localStorage. It starts from the playground's
  // Headers pane when that holds one, as both pages share this origin.
  const keyInput = $('key');
  keyInput.value = localStorage.getItem(KEY_STORAGE) ?? playgroundKey();
  function playgroundKey() {
    try {
      const h = JSON.parse(localStorage.getItem('graphiql:headers') || '{}');
      return (h.Authorization || h.authorization || '').replace(/^Bearer\s+/i, '');
    } catch {
      return '';
    }
  }
  function authHeaders() {
    const key = keyInput.value.trim().replace(/^Bearer\s+/i, '');
    return key ? { Authorization: 'Bearer ' + key } : {};
  }

  async function gql(query, variables) {
    const resp = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
      body: JSON.stringify({ query, variables }),
    });
    let body;
    try {
      body = await resp.json();
    } catch {
      throw new Error(`the server answered ${resp.status} ${resp.statusText}`);
    }
    if (body.errors && body.errors.length) {
      const code = body.errors[0].extensions && body.errors[0].extensions.code;
      const msg = body.errors.map((e) => e.message).join('; ');
      throw Object.assign(new Error(code === 'UNAUTHENTICATED' ? 'the API key was refused: ' + msg : msg), { code });
    }
    return body.data;
  }

  // Retries while the server answers UNAVAILABLE, as it does while it is still loading the
  // network after a start; stale says the answer is no longer wanted.
  async function patiently(what, call, stale) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (err.code !== 'UNAVAILABLE' || attempt >= 20 || stale()) throw err;
        status(`The server is busy (${err.message}); trying ${what} again…`);
        await new Promise((r) => setTimeout(r, Math.min(1000 * attempt, 5000)));
        if (stale()) throw err;
      }
    }
  }

  function status(text, isError) {
    const el = $('status');
    el.textContent = text || '';
    el.classList.toggle('error', !!isError);
  }

  // The filter the form describes, as NetworkFilter; fields left at "all" are absent.
  function readFilter() {
    const f = {};
    const programme = $('programme').value;
    if (programme) f.programmeId = programme;
    const from = +$('from-year').value;
    const to = +$('to-year').value;
    if (from > state.years.min || to < state.years.max) {
      f.from = `${from}-01-01`;
      f.to = `${to}-12-31`;
    }
    const museums = [...$('museums').selectedOptions].map((o) => o.value);
    if (museums.length) f.museumIds = museums;
    const level = $('min-level').value;
    if (level) f.minLevel = level;
    const outcomes = [...document.querySelectorAll('#outcomes input:checked')].map((i) => i.value);
    if (outcomes.length) f.outcomeCodes = outcomes;
    const sample = $('sample').value;
    if (sample) f.sample = sample === 'true';
    return f;
  }

  // The same filter as the exports' query parameters (lists comma-separated).
  function filterParams(f) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) p.set(k, Array.isArray(v) ? v.join(',') : String(v));
    return p;
  }

  function showPeriod() {
    const from = $('from-year');
    const to = $('to-year');
    if (+from.value > +to.value) {
      if (document.activeElement === to) from.value = to.value;
      else to.value = from.value;
    }
    $('from-out').textContent = from.value;
    $('to-out').textContent = to.value;
    const all = +from.value <= state.years.min && +to.value >= state.years.max;
    $('period-hint').textContent = all ? 'Any period' : `Partnerships running in ${from.value}–${to.value}, weighted by the events of those years`;
  }

  async function loadCatalogue() {
    const sample = $('sample').value;
    const seq = ++catalogueSeq;
    const data = await patiently('the filters', () => gql(CATALOGUE, { filter: sample ? { sample: sample === 'true' } : null }),
      () => seq !== catalogueSeq);
    if (seq !== catalogueSeq) return;
    const programmeSel = $('programme');
    const chosen = programmeSel.value;
    programmeSel.length = 1;
    const outcomes = new Map();
    for (const p of data.programmes.nodes) {
      programmeSel.add(new Option(p.name, p.id, false, p.id === chosen));
      for (const o of p.outcomes) if (!outcomes.has(o.code)) outcomes.set(o.code, o.title);
    }
    const ticked = new Set([...document.querySelectorAll('#outcomes input:checked')].map((i) => i.value));
    $('outcomes').replaceChildren(...[...outcomes].map(([code, title]) => {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = code;
      box.checked = ticked.has(code);
      label.append(box, ' ', title || code);
      return label;
    }));
    const museumSel = $('museums');
    const picked = new Set([...museumSel.selectedOptions].map((o) => o.value));
    const museums = data.partnershipNetwork.nodes.filter((n) => n.kind === 'MUSEUM')
      .sort((a, b) => a.label.localeCompare(b.label));
    museumSel.replaceChildren(...museums.map((m) => new Option(m.label, m.id, false, picked.has(m.id))));

    // The slider spans the years of the partnerships; an open end runs to this year.
    const thisYear = new Date().getFullYear();
    let min = Infinity;
    let max = -Infinity;
    for (const e of data.partnershipNetwork.edges) {
      if (e.startDate) min = Math.min(min, +e.startDate.slice(0, 4));
      const end = e.endDate ? +e.endDate.slice(0, 4) : e.startDate ? thisYear : -Infinity;
      max = Math.max(max, end);
    }
    if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [2012, thisYear];
    const wasAll = +$('from-year').value <= state.years.min && +$('to-year').value >= state.years.max;
    state.years = { min, max };
    for (const id of ['from-year', 'to-year']) {
      $(id).min = min;
      $(id).max = max;
    }
    if (wasAll) {
      $('from-year').value = min;
      $('to-year').value = max;
    }
    showPeriod();
  }

  // Node sizes follow the chosen metric, by square root so that area tracks it.
  function nodeSize(value, max) {
    return max > 0 ? 3 + 15 * Math.sqrt(value / max) : 5;
  }
  function applySizes() {
    let max = 0;
    graph.forEachNode((_, a) => { max = Math.max(max, a[state.sizeBy]); });
    graph.updateEachNodeAttributes((_, a) => ({ ...a, size: nodeSize(a[state.sizeBy], max) }));
  }

  // A stable pseudo-random point for a new node, so a drawing comes out the same each time.
  function hashPoint(id) {
    let h = 2166136261;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
    const a = ((h >>> 0) % 100000) / 100000 * 2 * Math.PI;
    const r = 50 + (((h >>> 16) % 1000) / 1000) * 50;
    return { x: Math.cos(a) * r, y: Math.sin(a) * r };
  }

  // Replaces the drawn network, keeping the positions of nodes drawn before so that a
  // filter change moves the drawing as little as it must.
  function draw(net) {
    const old = new Map();
    graph.forEachNode((n, a) => old.set(n, { x: a.x, y: a.y }));
    graph.clear();
    let maxWeight = 0;
    for (const e of net.edges) maxWeight = Math.max(maxWeight, e.weight);
    for (const n of net.nodes) {
      graph.addNode(n.id, {
        ...(old.get(n.id) || hashPoint(n.id)),
        label: n.label, kind: n.kind, type: SHAPE[n.kind], color: COLOUR[n.kind],
        degree: n.degree, weightedDegree: n.weightedDegree, betweenness: n.betweenness,
        component: n.component, size: 4,
      });
    }
    for (const e of net.edges) {
      graph.addEdgeWithKey(e.id, e.source, e.target, {
        title: e.title, status: e.status, weight: e.weight, maxLevel: e.maxLevel,
        startDate: e.startDate, endDate: e.endDate, color: EDGE,
        size: maxWeight > 0 ? 0.5 + 5.5 * Math.sqrt(e.weight / maxWeight) : 1,
      });
    }
    // A node new to the drawing starts at the centre of its neighbours already placed (a
    // community among its museums), which leaves ForceAtlas2 little to do.
    const placed = new Set(old.keys());
    if (!placed.size) graph.forEachNode((n, a) => { if (a.kind === 'MUSEUM') placed.add(n); });
    graph.forEachNode((n) => {
      if (placed.has(n)) return;
      const anchors = graph.neighbors(n).filter((m) => placed.has(m));
      if (!anchors.length) return;
      const j = hashPoint(n);
      let x = 0;
      let y = 0;
      for (const m of anchors) {
        x += graph.getNodeAttribute(m, 'x');
        y += graph.getNodeAttribute(m, 'y');
      }
      graph.mergeNodeAttributes(n, { x: x / anchors.length + j.x / 8, y: y / anchors.length + j.y / 8 });
    });
    applySizes();
    const kept = net.nodes.filter((n) => old.has(n.id)).length;
    runLayout(kept > net.nodes.length / 2 ? 40 : 150);
    // Edges are most of the drawing's cost: with many, they are left out while the view
    // moves, so that panning and zooming stay smooth on slow graphics.
    renderer.setSetting('hideEdgesOnMove', graph.size > 1500);

    const s = net.stats;
    $('stats').textContent = `${s.nodeCount} nodes · ${s.edgeCount} partnerships · ` +
      `${s.componentCount} component${s.componentCount === 1 ? '' : 's'} · density ${s.density.toFixed(4)}`;
    $('labels').replaceChildren(...net.nodes.map((n) => new Option(n.label)));
    const container = $('graph');
    container.dataset.nodes = graph.order;
    container.dataset.edges = graph.size;
    state.draws++;
    container.dataset.draws = state.draws;
  }

  // ForceAtlas2 runs a bounded number of iterations, some in each frame, so the page stays
  // responsive and the drawing settles visibly. Each frame takes enough of them to finish
  // within LAYOUT_MS whatever the frame rate, but at most about 40 ms of them.
  const LAYOUT_MS = 2500;
  function runLayout(iterations) {
    const run = ++layoutRun;
    if (graph.order === 0) return;
    const settings = forceAtlas2.inferSettings(graph);
    const getEdgeWeight = (_, a) => 1 + Math.log1p(a.weight);
    let done = 0;
    let perIteration = 0; // ms, measured
    let lastFrame = 0;
    const t0 = performance.now();
    const step = (now) => {
      if (run !== layoutRun) return;
      const frame = lastFrame ? now - lastFrame : 16;
      lastFrame = now;
      const left = Math.max(t0 + LAYOUT_MS - now, frame);
      let n = Math.ceil((iterations - done) * frame / left);
      if (perIteration > 0) n = Math.min(n, Math.max(1, Math.floor(40 / perIteration)));
      n = Math.max(1, Math.min(n, iterations - done));
      const t = performance.now();
      forceAtlas2.assign(graph, { iterations: n, settings, getEdgeWeight });
      perIteration = (performance.now() - t) / n;
      done += n;
      if (done < iterations) {
        requestAnimationFrame(step);
      } else {
        timings.layoutMs = Math.round(performance.now() - t0);
        timings.layoutIterations = iterations;
        document.body.dataset.layout = 'done';
      }
    };
    document.body.dataset.layout = 'running';
    requestAnimationFrame(step);
  }

  async function loadNetwork() {
    const seq = ++loadSeq;
    const filter = readFilter();
    document.body.dataset.state = 'loading';
    status('Loading the network…');
    const t0 = performance.now();
    try {
      const data = await patiently('the network', () => gql(NETWORK, { filter }), () => seq !== loadSeq);
      if (seq !== loadSeq) return;
      timings.lastFetchMs = Math.round(performance.now() - t0);
      state.filter = filter;
      const t1 = performance.now();
      draw(data.partnershipNetwork);
      renderer.refresh();
      timings.lastDrawMs = Math.round(performance.now() - t1);
      if (timings.firstDrawMs === undefined) timings.firstDrawMs = Math.round(performance.now() - started);
      status(graph.order ? '' : 'No partnership matches these filters.');
      document.body.dataset.state = 'ready';
      if (state.selected && graph.hasNode(state.selected)) {
        select(state.selected, { keepPath: false });
      } else {
        closePanel();
      }
    } catch (err) {
      if (seq !== loadSeq) return;
      document.body.dataset.state = 'error';
      status('Could not load the network: ' + err.message, true);
    }
  }

  // Highlighting: a path wins over a neighbourhood; without either, everything is drawn.
  function focus() {
    return state.path || state.neighbourhood;
  }
  function nodeReducer(node, data) {
    const f = focus();
    const res = { ...data };
    if (f && !f.nodes.has(node)) {
      res.color = DIM_NODE;
      res.label = null;
      res.zIndex = 0;
    } else if (f) {
      res.zIndex = 1;
      res.forceLabel = f.nodes.size <= 40;
    }
    if (node === state.selected || node === state.pathEnd || node === state.hovered) {
      res.highlighted = true;
      res.forceLabel = true;
      res.zIndex = 2;
    }
    return res;
  }
  function edgeReducer(edge, data) {
    const f = focus();
    if (!f) return data;
    if (!f.edges.has(edge)) return { ...data, color: DIM_EDGE, zIndex: 0 };
    return { ...data, color: state.path ? PATH : '#777', zIndex: 1, size: state.path ? Math.max(data.size, 3) : data.size };
  }

  let renderer;
  try {
    renderer = new Sigma(graph, $('graph'), {
      nodeProgramClasses: { circle: NodeCircleProgram, square: NodeSquareProgram },
      defaultNodeType: 'circle',
      labelRenderedSizeThreshold: 9,
      labelDensity: 0.3,
      labelGridCellSize: 120,
      zIndex: true,
      nodeReducer,
      edgeReducer,
    });
  } catch (err) {
    document.body.dataset.state = 'error';
    status('This browser cannot draw the network (it needs WebGL): ' + err.message, true);
    throw err;
  }
  new ResizeObserver(() => renderer.refresh()).observe($('graph'));

  function fmt(x) {
    return x === 0 ? '0' : x < 0.001 ? x.toExponential(2) : x.toFixed(4);
  }

  function playgroundLink(kind, id) {
    const p = new URLSearchParams({ query: RECORD[kind], variables: JSON.stringify({ id }, null, 2) });
    return '/?' + p.toString();
  }

  // Opens the panel of a node, asks for its neighbourhood, and ends a path when one was
  // being picked.
  async function select(id, { keepPath = false } = {}) {
    if (!graph.hasNode(id)) return;
    if (state.picking && state.selected && state.selected !== id) {
      state.picking = false;
      $('path-button').textContent = 'Shortest path to…';
      return showPath(state.selected, id);
    }
    state.picking = false;
    state.selected = id;
    if (!keepPath) {
      state.path = null;
      state.pathEnd = null;
      $('path').textContent = '';
      $('path').className = '';
    }
    $('path-button').textContent = 'Shortest path to…';
    fillPanel(id);
    renderer.refresh({ skipIndexation: true });
    const depth = +$('depth').value;
    try {
      const data = await gql(NEIGHBOURHOOD, { id, depth, filter: state.filter });
      if (state.selected !== id) return;
      state.neighbourhood = {
        nodes: new Set(data.neighbourhood.nodes.map((n) => n.id)),
        edges: new Set(data.neighbourhood.edges.map((e) => e.id)),
      };
      $('panel').dataset.neighbourhood = state.neighbourhood.nodes.size;
      renderer.refresh({ skipIndexation: true });
    } catch (err) {
      status('Could not load the neighbourhood: ' + err.message, true);
    }
  }

  function fillPanel(id) {
    const a = graph.getNodeAttributes(id);
    const panel = $('panel');
    const wasHidden = panel.hidden;
    panel.hidden = false;
    panel.dataset.node = id;
    $('panel-label').textContent = a.label;
    $('panel-kind').textContent = a.kind === 'MUSEUM' ? 'Museum' : 'Community';
    $('panel-degree').textContent = a.degree;
    $('panel-weighted').textContent = a.weightedDegree;
    $('panel-betweenness').textContent = fmt(a.betweenness);
    $('panel-component').textContent = a.component;
    const link = $('panel-playground');
    link.parentElement.hidden = document.body.dataset.playground !== 'on';
    link.href = playgroundLink(a.kind, id);
    const edges = graph.edges(id).map((e) => ({ id: e, other: graph.opposite(id, e), ...graph.getEdgeAttributes(e) }))
      .sort((x, y) => y.weight - x.weight || x.title.localeCompare(y.title));
    $('panel-partnerships-title').textContent = `Partnerships (${edges.length})`;
    $('panel-partnerships').replaceChildren(...edges.map((e) => {
      const tr = document.createElement('tr');
      const title = document.createElement('td');
      title.textContent = e.title;
      const dates = [e.startDate || 'not started', e.endDate || ''].join('–');
      title.title = `${e.status.toLowerCase()}, ${dates}`;
      const other = document.createElement('td');
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'link';
      go.textContent = graph.getNodeAttribute(e.other, 'label');
      go.addEventListener('click', () => choose(e.other));
      other.append(go);
      const weight = document.createElement('td');
      weight.className = 'n';
      weight.textContent = e.weight;
      const level = document.createElement('td');
      level.textContent = e.maxLevel ? e.maxLevel.toLowerCase() : '—';
      tr.append(title, other, weight, level);
      return tr;
    }));
    if (wasHidden) renderer.refresh();
  }

  function closePanel() {
    state.selected = state.pathEnd = state.path = state.neighbourhood = null;
    state.picking = false;
    $('panel').hidden = true;
    delete $('panel').dataset.node;
    renderer.refresh();
  }

  async function showPath(from, to) {
    state.pathEnd = to;
    const out = $('path');
    out.className = '';
    out.textContent = 'Finding the shortest path…';
    try {
      const data = await gql(PATH_QUERY, { from, to, filter: state.filter });
      if (state.selected !== from || state.pathEnd !== to) return;
      const nodes = data.shortestPath;
      if (!nodes) {
        state.path = null;
        out.textContent = `No path between ${graph.getNodeAttribute(from, 'label')} and ${graph.getNodeAttribute(to, 'label')} in this network.`;
      } else {
        const ids = nodes.map((n) => n.id);
        const edges = new Set();
        for (let i = 1; i < ids.length; i++) for (const e of graph.edges(ids[i - 1], ids[i])) edges.add(e);
        state.path = { nodes: new Set(ids), edges, ids };
        out.className = 'found';
        out.textContent = `Shortest path (${ids.length - 1} partnership${ids.length === 2 ? '' : 's'}): ` +
          nodes.map((n) => n.label).join(' → ');
      }
      $('panel').dataset.path = nodes ? nodes.length : 0;
      renderer.refresh({ skipIndexation: true });
    } catch (err) {
      out.textContent = 'Could not find the path: ' + err.message;
    }
  }

  // A node chosen by click, search or the panel, centred in view.
  function choose(id, shift) {
    if (shift && state.selected && state.selected !== id) {
      state.picking = true;
    }
    select(id);
    const d = renderer.getNodeDisplayData(id);
    if (d) renderer.getCamera().animate({ x: d.x, y: d.y, ratio: Math.min(renderer.getCamera().ratio, 0.6) }, { duration: 400 });
  }

  function find(text) {
    const q = text.trim().toLowerCase();
    if (!q) return null;
    let best = null;
    let rank = 4;
    graph.forEachNode((n, a) => {
      const l = a.label.toLowerCase();
      const r = l === q ? 0 : l.startsWith(q) ? 1 : l.includes(q) ? 2 : 4;
      if (r < rank || (r === rank && best && a.label.length < graph.getNodeAttribute(best, 'label').length)) {
        best = n;
        rank = r;
      }
    });
    return best;
  }

  // Enter searches; so does a change of the text (a pick from the list, or leaving the
  // box), unless Enter has just searched for the same text.
  let searched = null;
  function search() {
    const text = $('search').value;
    searched = text;
    if (!text.trim()) return;
    const id = find(text);
    if (!id) {
      status(`No museum or community called “${text.trim()}” in this network.`);
      return;
    }
    status('');
    choose(id);
  }

  async function download(path) {
    const params = filterParams(readFilter());
    const url = path + (params.size ? '?' + params : '');
    status('Preparing the download…');
    try {
      const resp = await fetch(url, { headers: authHeaders() });
      if (!resp.ok) {
        const text = (await resp.text()).trim();
        status(`The download failed (${resp.status}): ${text.slice(0, 200)}`, true);
        return;
      }
      const blob = await resp.blob();
      const m = /filename="?([^";]+)"?/.exec(resp.headers.get('Content-Disposition') || '');
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = m ? m[1] : path.split('/').pop();
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      status('');
    } catch (err) {
      status('The download failed: ' + err.message, true);
    }
  }

  async function showViewer() {
    try {
      const { viewer } = await gql(VIEWER);
      const museums = viewer.museums && viewer.museums.length ? ' of ' + viewer.museums.map((m) => m.name).join(', ') : '';
      $('viewer').textContent = viewer.role === 'ANONYMOUS'
        ? 'anonymous: restricted decision events do not count'
        : `${viewer.role.toLowerCase()}${museums}`;
    } catch (err) {
      $('viewer').textContent = err.message;
    }
  }

  // Events.
  renderer.on('clickNode', ({ node, event }) => choose(node, event.original.shiftKey));
  renderer.on('clickStage', () => closePanel());
  // Hovering redraws only the node concerned.
  renderer.on('enterNode', ({ node }) => {
    state.hovered = node;
    $('graph').style.cursor = 'pointer';
    renderer.refresh({ partialGraph: { nodes: [node] }, skipIndexation: true });
  });
  renderer.on('leaveNode', ({ node }) => {
    state.hovered = null;
    $('graph').style.cursor = '';
    renderer.refresh({ partialGraph: { nodes: [node] }, skipIndexation: true });
  });
  $('search').addEventListener('keydown', (e) => { if (e.key === 'Enter') search(); });
  $('search').addEventListener('change', () => { if ($('search').value !== searched) search(); });
  $('panel-close').addEventListener('click', closePanel);
  $('depth').addEventListener('change', () => state.selected && select(state.selected, { keepPath: true }));
  $('path-button').addEventListener('click', () => {
    state.picking = !state.picking;
    $('path-button').textContent = state.picking ? 'Pick the other end (click or search)…' : 'Shortest path to…';
  });
  for (const b of document.querySelectorAll('[data-export]')) {
    b.addEventListener('click', () => download(b.dataset.export));
  }
  for (const r of document.querySelectorAll('input[name=size]')) {
    r.addEventListener('change', () => {
      state.sizeBy = r.value;
      applySizes();
    });
  }
  const form = $('filters');
  for (const id of ['from-year', 'to-year']) $(id).addEventListener('input', showPeriod);
  form.addEventListener('change', (e) => {
    if (e.target.name === 'size') return;
    if (e.target.id === 'sample') {
      loadCatalogue().then(loadNetwork, (err) => status('Could not load the filters: ' + err.message, true));
      return;
    }
    loadNetwork();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  $('museums-clear').addEventListener('click', () => {
    $('museums').selectedIndex = -1;
    loadNetwork();
  });
  keyInput.addEventListener('change', () => {
    localStorage.setItem(KEY_STORAGE, keyInput.value.trim());
    showViewer();
    loadCatalogue().then(loadNetwork, (err) => status('Could not load the filters: ' + err.message, true));
  });

  window.explore = { graph, renderer, state, timings, search: (text) => { $('search').value = text; search(); } };

  for (const [id, value] of [['from-year', state.years.min], ['to-year', state.years.max]]) {
    Object.assign($(id), { min: state.years.min, max: state.years.max, value });
  }
  showViewer();
  showPeriod();
  // The network and the filters' choices load side by side; both start unfiltered.
  loadNetwork();
  loadCatalogue().catch((err) => status('Could not load the filters: ' + err.message, true));
})();
