'use strict';
// Runs a command as a fresh process and measures its wall time, CPU time and peak memory.
//
// Peak memory comes from GNU time (`/usr/bin/time -f ... -o FILE`, the rusage of the waited-for
// child: the largest resident set in the process tree) when it is installed, and otherwise from
// polling VmHWM of the child's process tree in /proc every 10 ms (Linux), else is left unknown.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const GNU_TIME = '/usr/bin/time';
let gnuTimeWorks;

/** Whether /usr/bin/time is GNU time (BusyBox and BSD time lack `-o`/`%M` in the same form). */
function hasGnuTime() {
  if (gnuTimeWorks === undefined) {
    if (!fs.existsSync(GNU_TIME)) {
      gnuTimeWorks = false;
    } else {
      const out = path.join(os.tmpdir(), `bench-time-probe-${process.pid}`);
      const r = spawnSync(GNU_TIME, ['-f', '%e %U %S %M', '-o', out, 'true'], { stdio: 'ignore' });
      gnuTimeWorks = r.status === 0 && /^\d/.test(readOrEmpty(out).trim());
      fs.rmSync(out, { force: true });
    }
  }
  return gnuTimeWorks;
}

function readOrEmpty(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Peak resident set (KB) of a process and its descendants, from /proc; 0 where unreadable. */
function treeHwmKb(pid) {
  let max = 0;
  const status = readOrEmpty(`/proc/${pid}/status`);
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  if (m) max = Number(m[1]);
  for (const task of safeReaddir(`/proc/${pid}/task`)) {
    for (const child of readOrEmpty(`/proc/${pid}/task/${task}/children`).split(/\s+/).filter(Boolean)) {
      max = Math.max(max, treeHwmKb(Number(child)));
    }
  }
  return max;
}

function safeReaddir(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Runs `command` (argv array, or a string for `sh -c`) once.
 * @returns {Promise<{wallMs:number, cpuMs:number|undefined, maxRssKb:number|undefined, code:number, stdout:string, stderr:string}>}
 */
function runOnce(command, { cwd, env, stdoutFile } = {}) {
  const argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
  const timeOut = path.join(
    os.tmpdir(),
    `bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  const useTime = hasGnuTime();
  const full = useTime ? [GNU_TIME, '-f', '%e %U %S %M', '-o', timeOut, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const out = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'pipe';
    const child = spawn(full[0], full.slice(1), { cwd, env, stdio: ['ignore', out, 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (child.stdout)
      child.stdout.on('data', (d) => {
        stdout += d;
      });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let polledKb = 0;
    const poller =
      useTime || process.platform !== 'linux'
        ? undefined
        : setInterval(() => {
            polledKb = Math.max(polledKb, treeHwmKb(child.pid));
          }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (poller) clearInterval(poller);
      if (typeof out === 'number') fs.closeSync(out);
      let cpuMs;
      let maxRssKb = polledKb || undefined;
      if (useTime) {
        // GNU time prefixes "Command exited with non-zero status N" on failure: take the last line.
        const fields = readOrEmpty(timeOut).trim().split('\n').pop().split(' ').map(Number);
        fs.rmSync(timeOut, { force: true });
        if (fields.length === 4 && fields.every(Number.isFinite)) {
          cpuMs = (fields[1] + fields[2]) * 1000;
          maxRssKb = fields[3];
        }
      }
      resolve({ wallMs, cpuMs, maxRssKb, code: code ?? 1, stdout, stderr });
    });
  });
}

/**
 * Warm-up runs (discarded), then `runs` measured runs. Throws with the child's stderr when a run fails.
 */
async function measure(command, { runs = 5, warmup = 1, cwd, env, check, label } = {}) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const r = await runOnce(command, { cwd, env });
    if (r.code !== 0) {
      throw new Error(`${label ?? command} exited ${r.code}:\n${(r.stderr || r.stdout).slice(-2000)}`);
    }
    if (check) check(r);
    if (i >= warmup) samples.push(r);
  }
  return summarize(samples);
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function summarize(samples) {
  const wall = samples.map((s) => s.wallMs);
  const cpu = samples.map((s) => s.cpuMs).filter((x) => x !== undefined);
  const rss = samples.map((s) => s.maxRssKb).filter((x) => x !== undefined);
  return {
    runs: samples.length,
    wallMs: median(wall),
    minMs: Math.min(...wall),
    maxMs: Math.max(...wall),
    cpuMs: cpu.length ? median(cpu) : undefined,
    maxRssKb: rss.length ? Math.max(...rss) : undefined,
    samples,
  };
}

module.exports = { runOnce, measure, median, summarize, hasGnuTime };
