import type * as pkijs from 'pkijs'
import { oids } from '../oids.ts'
import { fail } from './path-error.ts'

/**
 * The valid_policy_tree of RFC 5280 §6.1: built in §6.1.2 (a), grown by each certificate's
 * policies (§6.1.3 (d)), rewritten by policy mappings (§6.1.4 (b)) and cut to the
 * user-initial-policy-set at the end (§6.1.5 (g)). `null` is the empty tree.
 */
export interface PolicyNode {
  policy: string
  expected: Set<string>
  children: PolicyNode[]
  parent: PolicyNode | null
  depth: number
}

const anyPolicy = oids.anyPolicy

export const initialPolicyTree = (): PolicyNode => ({
  policy: anyPolicy,
  expected: new Set([anyPolicy]),
  children: [],
  parent: null,
  depth: 0,
})

export function nodesAt(root: PolicyNode | null, depth: number): PolicyNode[] {
  if (!root) return []
  const out: PolicyNode[] = []
  const walk = (node: PolicyNode) => {
    if (node.depth === depth) out.push(node)
    else node.children.forEach(walk)
  }
  walk(root)
  return out
}

function addChild(parent: PolicyNode, policy: string, expected: Set<string>): PolicyNode {
  const node = { policy, expected, children: [], parent, depth: parent.depth + 1 }
  parent.children.push(node)
  return node
}

function removeNode(root: PolicyNode, node: PolicyNode): PolicyNode | null {
  if (node === root) return null
  node.parent!.children = node.parent!.children.filter((c) => c !== node)
  return root
}

/** Deletes every childless node above `depth`, bottom-up; the tree is empty when nothing is left at `depth`. */
function prune(root: PolicyNode | null, depth: number): PolicyNode | null {
  let tree = root
  for (let d = depth - 1; d >= 0 && tree; d--) {
    for (const node of nodesAt(tree, d)) if (node.children.length === 0 && tree) tree = removeNode(tree, node)
  }
  if (tree && nodesAt(tree, depth).length === 0) return null
  return tree
}

/**
 * §6.1.3 (d): certificate `depth`'s policies below the matching nodes of the level above; anyPolicy
 * in the certificate expands every expected policy when `isAnyPolicyAllowed` (inhibit_anyPolicy
 * not reached, or a self-issued intermediate).
 */
export function addCertificatePolicies(tree: PolicyNode, ids: string[], depth: number, isAnyPolicyAllowed: boolean) {
  const parents = nodesAt(tree, depth - 1)
  for (const id of ids) {
    if (id === anyPolicy) continue
    const matching = parents.filter((node) => node.expected.has(id))
    if (matching.length > 0) matching.forEach((node) => addChild(node, id, new Set([id])))
    else parents.filter((node) => node.policy === anyPolicy).forEach((node) => addChild(node, id, new Set([id])))
  }
  if (ids.includes(anyPolicy) && isAnyPolicyAllowed) {
    for (const node of parents) {
      const present = new Set(node.children.map((c) => c.policy))
      for (const expected of node.expected) if (!present.has(expected)) addChild(node, expected, new Set([expected]))
    }
  }
  return prune(tree, depth)
}

/**
 * §6.1.4 (a)–(b): certificate `depth`'s policyMappings. While mapping is allowed the mapped nodes
 * expect the subject domain policies; once inhibited, the issuer domain policies' nodes go.
 */
export function applyPolicyMappings(
  root: PolicyNode | null,
  mappings: pkijs.PolicyMapping[],
  depth: number,
  isMappingAllowed: boolean,
): PolicyNode | null {
  if (mappings.some((m) => m.issuerDomainPolicy === anyPolicy || m.subjectDomainPolicy === anyPolicy)) {
    fail('a policy mapping maps anyPolicy')
  }
  let tree = root
  const byIssuer = new Map<string, Set<string>>()
  for (const m of mappings) {
    byIssuer.set(m.issuerDomainPolicy, new Set([...(byIssuer.get(m.issuerDomainPolicy) ?? []), m.subjectDomainPolicy]))
  }
  for (const [issuerPolicy, subjects] of byIssuer) {
    const level = nodesAt(tree, depth)
    if (isMappingAllowed) {
      const matching = level.filter((node) => node.policy === issuerPolicy)
      if (matching.length > 0) matching.forEach((node) => (node.expected = new Set(subjects)))
      else {
        const anyNode = level.find((node) => node.policy === anyPolicy)
        if (anyNode) addChild(anyNode.parent!, issuerPolicy, new Set(subjects))
      }
    } else if (tree) {
      for (const node of level.filter((x) => x.policy === issuerPolicy)) tree = tree ? removeNode(tree, node) : null
      tree = prune(tree, depth)
    }
  }
  return tree
}

/** §6.1.5 (g): the tree cut to the user-initial-policy-set (`initial` does not hold anyPolicy); `depth` is n. */
export function intersectWithInitialPolicies(root: PolicyNode, initial: string[], depth: number): PolicyNode | null {
  let tree: PolicyNode | null = root
  const wanted = new Set(initial)
  const validNodeSet: PolicyNode[] = []
  const walk = (node: PolicyNode) => {
    for (const child of node.children) {
      if (node.policy === anyPolicy) validNodeSet.push(child)
      walk(child)
    }
  }
  walk(root)
  for (const node of validNodeSet) {
    if (node.policy !== anyPolicy && !wanted.has(node.policy)) tree = tree ? removeNode(tree, node) : null
  }
  const anyLeaf = nodesAt(tree, depth).find((node) => node.policy === anyPolicy)
  if (anyLeaf && tree) {
    const present = new Set(validNodeSet.map((node) => node.policy))
    for (const policy of wanted) if (!present.has(policy)) addChild(anyLeaf.parent!, policy, new Set([policy]))
    tree = removeNode(tree, anyLeaf)
  }
  return prune(tree, depth)
}
