// An external Verka job worker in JavaScript (Node.js 18+), written only against the REST API
// documented in docs/api.md, with nothing but the built-in `fetch`.
//
// It does the service tasks of the fault-report example: "forward-fault-report" hands the
// report to a maintenance system and records the ticket number; "record-ticket" notes it.
//
//   VERKA_URL=http://127.0.0.1:8000 VERKA_TOKEN=verka_… node examples/workers/worker.mjs
//
// Environment: VERKA_URL, VERKA_TOKEN (a token with the scope "jobs"), JOB_TYPES (comma
// separated, default both types above), WORKER_NAME, MAX_JOBS (stop after that many; for tests).
//
// Delivery is at least once: a job whose lease runs out, or whose completion is lost on the way,
// is handed out again. Handlers must therefore be idempotent; the job key is a good idempotency
// key towards other systems (here the ticket number is derived from it).

const baseUrl = (process.env.VERKA_URL ?? "http://127.0.0.1:8000").replace(/\/$/, "");
const token = process.env.VERKA_TOKEN;
const workerName = process.env.WORKER_NAME ?? `node-${process.pid}`;
const maxJobs = process.env.MAX_JOBS ? Number(process.env.MAX_JOBS) : Infinity;
const jobTypes = (process.env.JOB_TYPES ?? "forward-fault-report,record-ticket").split(",");

const LEASE_MS = 60_000; // how long a job is ours before Verka hands it to another worker
const LONG_POLL_MS = 10_000; // how long one activation request waits for jobs to appear

// A BPMN error: an error boundary event in the process catches it by code.
class BpmnError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// The work, one function per job type. Each returns the variables to complete the job with.
const handlers = {
  "forward-fault-report": async (job) => {
    const { description } = job.variables;
    if (typeof description !== "string" || description.trim() === "") {
      throw new BpmnError("INVALID_REPORT", "the report has no description");
    }
    // A real worker would POST to the maintenance system here, sending job.jobKey as its
    // idempotency key so that a redelivered job does not create a second ticket.
    return { maintenanceTicket: `MT-${job.jobKey}`, forwardedBy: workerName };
  },
  "record-ticket": async (job) => ({ ticketRecorded: job.variables.maintenanceTicket ?? null }),
};

class ApiError extends Error {
  constructor(status, problem) {
    super(`${status} ${problem.title ?? ""}: ${problem.detail ?? ""}`);
    this.status = status;
    this.problem = problem;
  }
}

async function call(method, path, body, timeoutMs = 30_000) {
  const response = await fetch(`${baseUrl}/api/v1/${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status === 204) return null;
  const text = await response.text();
  // Errors are RFC 7807 problem JSON (application/problem+json).
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data ?? {});
  return data;
}

// Report an outcome; 404/409 mean the job was cancelled, finished or taken over meanwhile.
// Returns the problem when Verka refused the outcome as invalid (400), else null.
async function report(job, method, path, body) {
  try {
    await call(method, path, body);
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return error.problem;
    if (error instanceof ApiError && (error.status === 404 || error.status === 409)) {
      console.warn(`job ${job.jobKey}: outcome not accepted (${error.problem.detail})`);
      return null;
    }
    // Lost on the way: the lease runs out and the job comes again (at least once).
    console.warn(`job ${job.jobKey}: outcome not delivered: ${error.message}`);
  }
  return null;
}

function fail(job, message) {
  return report(job, "POST", `jobs/${job.jobKey}/failure`, {
    retries: Math.max(job.retries - 1, 0),
    errorMessage: String(message).slice(0, 2000),
    retryBackOff: 5_000,
  });
}

async function handle(job) {
  const handler = handlers[job.type];
  try {
    const variables = await handler(job);
    const refused = await report(job, "POST", `jobs/${job.jobKey}/completion`, {
      variables: variables ?? {},
    });
    // Variables Verka cannot take: fail the job with the reason so that it shows up.
    if (refused) await fail(job, `${refused.detail} ${JSON.stringify(refused.errors ?? [])}`);
  } catch (error) {
    if (error instanceof BpmnError) {
      await report(job, "POST", `jobs/${job.jobKey}/error`, {
        errorCode: error.code,
        errorMessage: error.message,
      });
    } else {
      await fail(job, error.message ?? error);
    }
  }
}

let stopping = false;
process.on("SIGINT", () => (stopping = true));
process.on("SIGTERM", () => (stopping = true));

async function main() {
  if (!token) {
    console.error("set VERKA_TOKEN to a token with the scope 'jobs'");
    process.exit(2);
  }
  let handled = 0;
  let failures = 0;
  let next = 0;
  while (!stopping && handled < maxJobs) {
    const type = jobTypes[next++ % jobTypes.length];
    let jobs;
    try {
      const answer = await call(
        "POST",
        "jobs/activation",
        {
          type,
          worker: workerName,
          timeout: LEASE_MS,
          maxJobsToActivate: Math.min(10, maxJobs - handled),
          // With several types, wait briefly per type so that each gets its turn.
          requestTimeout: jobTypes.length > 1 ? 1_000 : LONG_POLL_MS,
        },
        LONG_POLL_MS + 10_000,
      );
      jobs = answer.jobs;
      failures = 0;
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) throw error; // bad token, bad request
      failures += 1;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
      console.warn(`Verka unreachable (${error.message}); retrying in ${Math.round(delay)} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      continue;
    }
    for (const job of jobs) {
      await handle(job);
      handled += 1;
    }
  }
  console.log(`handled ${handled} jobs`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
