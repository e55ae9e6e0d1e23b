// DOM helpers of the demo page, and how it names the accounts it knows.
import { inWords } from './words.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
export const $ = (sel) => document.querySelector(sel);
export const short = (s, n = 6) => (s && s.length > 2 * n + 3 ? `${s.slice(0, n + 2)}…${s.slice(-n)}` : s ?? '');
export const clock = () => new Date().toLocaleTimeString([], { hour12: false });

/** Appends to a list, newest first, keeping at most `max` entries. */
export function prepend(list, item, max = 60) {
  list.prepend(item);
  while (list.children.length > max) list.lastElementChild.remove();
}

/** Shows an error in plain words with its code; nothing fails silently. */
export function showError(where, code, message, list = $('#errors')) {
  const top = list.firstElementChild;
  if (top && top.dataset.key === `${where}|${code}|${message}`) {
    const n = Number(top.dataset.count) + 1;
    top.dataset.count = n;
    top.querySelector('.count').textContent = `×${n}`;
    return;
  }
  const item = h('div', { class: 'error', 'data-code': code },
    h('span', { class: 'code' }, code), h('span', { class: 'where' }, where), h('span', {}, inWords(code, message)), h('span', { class: 'count' }),
    list.id === 'errors' ? h('button', { class: 'close', title: 'dismiss', onclick: () => item.remove() }, '×') : null);
  item.dataset.key = `${where}|${code}|${message}`;
  item.dataset.count = 1;
  prepend(list, item, 20);
  console.warn(`[${where}] ${code}: ${message}`);
}

/** A status chip in the header; returns a setter `(state, detail)`. */
export function statusChip(label, state = 'connecting', detail = '') {
  const chip = h('span', { class: `chip ${state}`, title: detail }, label);
  $('#status').append(chip);
  return (s, d = '') => { chip.className = `chip ${s}`; chip.title = d; };
}

/** The connected wallet's address, once connected (named "your wallet" in the panels). */
let walletAddress;
export const setWalletAddress = (a) => { walletAddress = a; };
export const getWalletAddress = () => walletAddress;

/** Session keys the wallet authorised on this page (named "your session key"). */
const sessionAddresses = new Set();
export const addSessionAddress = (a) => { sessionAddresses.add(a.toLowerCase()); };

export function nameOf(config, address) {
  const a = address?.toLowerCase();
  if (a !== undefined && a === walletAddress) return 'your wallet';
  if (a !== undefined && sessionAddresses.has(a)) return 'your session key';
  if (a === config.devAccounts.publisher.address) return 'the publisher';
  if (a !== undefined && a === config.transport.stockSdk?.address) return 'the stock SDK client';
  const s = config.devAccounts.subscribers.find((x) => x.address === a);
  return s ? s.name : short(a);
}
