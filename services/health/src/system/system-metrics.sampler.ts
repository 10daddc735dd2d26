import type { StatsFs } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { cpus, freemem, totalmem } from 'node:os';
import type { SystemMetrics } from '../../../core/src/domain/health-report.js';

interface CpuTimes {
  idle: number;
  total: number;
}

function readCpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, idle: cpuIdle, irq } = cpu.times;
    idle += cpuIdle;
    total += user + nice + sys + cpuIdle + irq;
  }
  return { idle, total };
}

/** statfs of the path, or of its nearest existing parent (the data directory may not be created yet). */
async function statfsNearest(path: string): Promise<StatsFs> {
  let current = resolve(path);
  for (;;) {
    try {
      return await statfs(current);
    } catch (error) {
      const parent = dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
}

const clampPercent = (value: number) => Math.min(100, Math.max(0, Math.round(value * 10) / 10));

/**
 * Real numbers of this machine: CPU busy share between two samples (os.cpus() tick deltas, all cores), memory in
 * use (total - available, as os.freemem() reads MemAvailable on Linux) and disk use of the filesystem holding the
 * data directory, computed like `df` (used / (used + available to unprivileged users)).
 */
export class SystemMetricsSampler {
  private previous: CpuTimes;

  constructor(private readonly dataDir: string) {
    this.previous = readCpuTimes();
  }

  async sample(): Promise<SystemMetrics> {
    const now = readCpuTimes();
    const total = now.total - this.previous.total;
    const idle = now.idle - this.previous.idle;
    this.previous = now;
    const stats = await statfsNearest(this.dataDir);
    const used = (stats.blocks - stats.bfree) * stats.bsize;
    const usable = used + stats.bavail * stats.bsize;
    return {
      cpu_percent: total > 0 ? clampPercent((1 - idle / total) * 100) : 0,
      memory_percent: clampPercent((1 - freemem() / totalmem()) * 100),
      disk_percent: usable > 0 ? clampPercent((used / usable) * 100) : 0,
    };
  }
}
