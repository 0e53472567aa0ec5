// The editor page: uploads two photos, paints a mask on the original and asks the server for
// the edit as the mask changes (at most one request in flight; the latest mask wins).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { size: 256, stylemap: 8, original: null, reference: null, busy: false, pending: null, results: 0, lastBox: null };
window.editorState = state;

const canvas = $("mask-canvas");
const ctx = canvas.getContext("2d");

function setStatus(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

async function post(url, body, type) {
  const headers = { "X-Editor": "1" };
  if (type) headers["Content-Type"] = type;
  const r = await fetch(url, { method: "POST", headers, body });
  if (!r.ok) throw new Error(await r.text());
  return r;
}

async function init() {
  const info = await (await fetch("api/info")).json();
  state.size = info.size;
  state.stylemap = info.stylemap;
  canvas.width = canvas.height = info.size;
  $("brush").max = Math.max(2, info.size / 2);
  $("brush").value = Math.max(1, Math.round(info.size / 16));
  $("model").textContent = `${info.size}x${info.size} images, ${info.channels}x${info.stylemap}x${info.stylemap} stylemap, on ${info.device}`;
  if (info.gallery) showGallery((await (await fetch("api/gallery")).json()).images);
  if (info.direction) {
    $("direction-panel").hidden = false;
    $("direction-name").textContent = info.direction;
  }
}

// A photo of the server's gallery, picked as the original or the reference.
function showGallery(names) {
  $("gallery-panel").hidden = names.length === 0;
  for (const name of names) {
    const item = document.createElement("figure");
    const img = document.createElement("img");
    img.src = `api/gallery/${encodeURIComponent(name)}`;
    img.alt = img.title = name;
    item.append(img);
    for (const which of ["original", "reference"]) {
      const b = document.createElement("button");
      b.textContent = which;
      b.addEventListener("click", () => choose(which, () => post(`api/gallery?name=${encodeURIComponent(name)}`, new Blob([]))));
      item.append(b);
    }
    $("gallery").append(item);
  }
}

function upload(which, file) {
  return choose(which, () => post("api/photo", file, file.type || "application/octet-stream"));
}

async function choose(which, send) {
  setStatus(`encoding the ${which}...`);
  try {
    const r = await send();
    const id = (await r.json()).id;
    state[which] = id;
    $(`${which}-recon`).src = `api/photo/${id}/recon.png`;
    setStatus(state.original && state.reference ? "Paint on the original where the reference should appear." : "Now the other photo.");
    if (state.original && state.reference) requestEdit();
  } catch (e) {
    setStatus(`${which}: ${e.message}`, true);
  }
}

$("original-file").addEventListener("change", (e) => e.target.files[0] && upload("original", e.target.files[0]));
$("reference-file").addEventListener("change", (e) => e.target.files[0] && upload("reference", e.target.files[0]));

// ------------------------------------------------------------------ painting

let drawing = false, start = null, snapshot = null;

function tool() {
  return document.querySelector('input[name="tool"]:checked').value;
}

function at(e) {
  const r = canvas.getBoundingClientRect();
  return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
}

// Painted pixels are coloured on the visible canvas; maskPng turns every painted pixel white.
const PAINT = "#ff2d6f";

function dab(p) {
  ctx.globalCompositeOperation = tool() === "erase" ? "destination-out" : "source-over";
  ctx.fillStyle = PAINT;
  ctx.beginPath();
  ctx.arc(p.x, p.y, Number($("brush").value) / 2, 0, 2 * Math.PI);
  ctx.fill();
}

function stroke(a, b) {
  const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y)));
  for (let i = 1; i <= steps; i++) dab({ x: a.x + (b.x - a.x) * i / steps, y: a.y + (b.y - a.y) * i / steps });
}

function boxTo(p) {
  ctx.putImageData(snapshot, 0, 0);
  ctx.globalCompositeOperation = "source-over";
  ctx.fillStyle = PAINT;
  const x0 = Math.min(start.x, p.x), y0 = Math.min(start.y, p.y);
  ctx.fillRect(x0, y0, Math.abs(p.x - start.x), Math.abs(p.y - start.y));
  state.lastBox = { y0, x0, y1: Math.max(start.y, p.y), x1: Math.max(start.x, p.x) };
}

canvas.addEventListener("pointerdown", (e) => {
  drawing = true;
  start = at(e);
  canvas.setPointerCapture(e.pointerId);
  if (tool() === "box") snapshot = ctx.getImageData(0, 0, canvas.width, canvas.height);
  else dab(start);
  requestEdit();
});
canvas.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const p = at(e);
  if (tool() === "box") boxTo(p);
  else { stroke(start, p); start = p; }
  requestEdit();
});
canvas.addEventListener("pointerup", (e) => {
  if (!drawing) return;
  drawing = false;
  if (tool() === "box") boxTo(at(e));
  requestEdit();
});
$("clear").addEventListener("click", () => {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  state.lastBox = null;
  requestEdit();
});

// The mask as the server wants it: white where the reference goes, on black.
function maskPng() {
  const m = document.createElement("canvas");
  m.width = m.height = canvas.width;
  const c = m.getContext("2d");
  c.drawImage(canvas, 0, 0);
  c.globalCompositeOperation = "source-in";
  c.fillStyle = "#fff";
  c.fillRect(0, 0, m.width, m.height);
  c.globalCompositeOperation = "destination-over";
  c.fillStyle = "#000";
  c.fillRect(0, 0, m.width, m.height);
  return new Promise((resolve) => m.toBlob(resolve, "image/png"));
}

// ------------------------------------------------------------------ requests

// Runs one request at a time; while one runs, only the newest waiting request is kept.
function schedule(job) {
  if (state.busy) { state.pending = job; return; }
  state.busy = true;
  job().finally(() => {
    state.busy = false;
    const next = state.pending;
    state.pending = null;
    if (next) schedule(next);
  });
}

async function show(responsePromise, what) {
  try {
    const r = await responsePromise;
    const blob = await r.blob();
    const old = $("result").src;
    $("result").src = URL.createObjectURL(blob);
    if (old.startsWith("blob:")) URL.revokeObjectURL(old);
    state.results++;
    document.body.dataset.results = String(state.results);
    setStatus(`${what}: ${r.headers.get("X-Compute-Ms")} ms on the server`);
  } catch (e) {
    setStatus(`${what}: ${e.message}`, true);
  }
}

function requestEdit() {
  if (!state.original || !state.reference) return;
  schedule(async () => {
    const q = `original=${state.original}&reference=${state.reference}&space=${$("space").value}`;
    await show(post(`api/edit?${q}`, await maskPng(), "image/png"), `edit (${$("space").value})`);
  });
}

function requestGet(url, what) {
  schedule(async () => {
    const r = fetch(url).then(async (r) => { if (!r.ok) throw new Error(await r.text()); return r; });
    await show(r, what);
  });
}

function needBoth() {
  if (state.original && state.reference) return true;
  setStatus("Upload both photos first.", true);
  return false;
}

$("space").addEventListener("change", requestEdit);
$("mix-coarse").addEventListener("click", () => needBoth() && requestGet(`api/mix?coarse=${state.original}&fine=${state.reference}`, "style mix"));
$("mix-fine").addEventListener("click", () => needBoth() && requestGet(`api/mix?coarse=${state.reference}&fine=${state.original}`, "style mix"));
$("interp").addEventListener("input", () => needBoth() && requestGet(`api/interpolate?a=${state.original}&b=${state.reference}&t=${$("interp").value}`, "interpolation"));

$("transplant").addEventListener("click", () => {
  if (!needBoth()) return;
  if (!state.lastBox) { setStatus("Draw a box with the box tool first.", true); return; }
  const cell = state.size / state.stylemap;
  const b = state.lastBox;
  const fy = Math.floor(b.y0 / cell), fx = Math.floor(b.x0 / cell);
  const h = Math.max(1, Math.ceil(b.y1 / cell) - fy), w = Math.max(1, Math.ceil(b.x1 / cell) - fx);
  const ty = fy + Number($("dy").value), tx = fx + Number($("dx").value);
  requestGet(`api/transplant?original=${state.original}&reference=${state.reference}&from=${fy},${fx}&to=${ty},${tx}&size=${h},${w}`, "transplant");
});

$("alpha").addEventListener("input", () => {
  if (!state.original) { setStatus("Upload an original first.", true); return; }
  $("alpha-value").textContent = $("alpha").value;
  schedule(async () => {
    const body = $("alpha-masked").checked ? await maskPng() : new Blob([]);
    await show(post(`api/direction?photo=${state.original}&alpha=${$("alpha").value}`, body, "image/png"), "direction");
  });
});

$("save").addEventListener("click", async () => {
  try {
    const r = await post("api/save", new Blob([]));
    setStatus(`saved as ${(await r.json()).file} in the server's output folder`);
  } catch (e) {
    setStatus(`save: ${e.message}`, true);
  }
});

init().then(() => { document.body.dataset.ready = "1"; }, (e) => setStatus(`cannot reach the server: ${e.message}`, true));
