// The independent reference fhtop's local IAM evaluator is checked against
// (src/judge/iam/diff/): reads a JSON array of cases on stdin, decides each with
// @cloud-copilot/iam-simulate (pinned in package.json / package-lock.json), and prints a JSON
// array of answers on stdout, in the same order.
//
// A case: { id, identity: [policy…], boundary: policy|null, resource_policy: policy|null,
//           principal, action, resource, resource_account, context: {key: string|[string]} }
// An answer: { id, decision: "Allowed"|"ImplicitlyDenied"|"ExplicitlyDenied"|"Error",
//              error?: string, ignored?: [key] (context keys the simulator dropped) }
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const c of process.stdin) chunks.push(c)
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))

const out = []
for (const c of cases) {
  const simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resource_account },
      contextVariables: c.context || {}
    },
    identityPolicies: (c.identity || []).map((policy, i) => ({ name: `identity${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  if (c.boundary) simulation.permissionBoundaryPolicies = [{ name: 'boundary', policy: c.boundary }]
  if (c.resource_policy) simulation.resourcePolicy = c.resource_policy
  try {
    const r = await runSimulation(simulation, { simulationMode: 'Strict' })
    if (r.resultType === 'error') {
      out.push({ id: c.id, decision: 'Error', error: JSON.stringify(r.errors) })
    } else {
      const ignored =
        r.resultType === 'single'
          ? r.result.ignoredContextKeys || []
          : r.results.flatMap((x) => x.ignoredContextKeys || [])
      out.push({ id: c.id, decision: r.overallResult, ignored })
    }
  } catch (e) {
    out.push({ id: c.id, decision: 'Error', error: String(e && e.stack ? e.stack : e) })
  }
}
process.stdout.write(JSON.stringify(out))
