// DOM building without HTML strings: every text goes through text nodes and every attribute through
// setAttribute, so chain data (arbitrary data, IDs, anything a peer wrote) is shown, never parsed.

export type Child = Node | string | number | bigint | false | null | undefined | readonly Child[]

export function h(
  tag: string,
  attrs: Readonly<Record<string, string | undefined>> = {},
  ...children: Child[]
): HTMLElement {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v)
  append(el, children)
  return el
}

export function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    if (Array.isArray(c)) append(el, c)
    else if (c instanceof Node) el.appendChild(c)
    else el.appendChild(document.createTextNode(String(c)))
  }
}

/** An SVG element (the block-time chart). */
export function svg(tag: string, attrs: Readonly<Record<string, string>>, ...children: Node[]): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v)
  for (const c of children) el.appendChild(c)
  return el
}

/** A link inside the explorer: `#/kind/value`, the value URI-encoded. */
export const link = (kind: string, value: string | number, text: Child = String(value), cls = 'mono') =>
  h('a', { href: `#/${kind}/${encodeURIComponent(String(value))}`, class: cls }, text)

export const facts = (rows: readonly (readonly [string, Child] | false | undefined)[]): HTMLElement =>
  h('dl', { class: 'facts' }, ...rows.flatMap((r) => (r ? [h('dt', {}, r[0]), h('dd', {}, r[1])] : [])))

export const table = (head: readonly string[], rows: readonly (readonly Child[])[]): HTMLElement =>
  h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  )

export const card = (label: string, value: Child, id?: string): HTMLElement =>
  h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value', id }, value))
