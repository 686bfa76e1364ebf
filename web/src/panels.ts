import { formatValue, type Unit } from './units.js';

/** A chart of a panel or drill-down. */
export interface ChartDef {
  /** Title. */
  title: string;
  /** PromQL templates (`$__rate_interval` is filled in from the collection interval and step). */
  queries: string[];
  /** Unit of the values. */
  unit: Unit;
  /** Upper bound the y axis always reaches. */
  yMax?: number;
  /** Queries drawn dashed (reference lines). */
  dashed?: number[];
  /** Fill under the lines. */
  fill?: boolean;
  /** Stack the series (parts of a whole). */
  stack?: boolean;
  /** Legend name of each query's series (its labels are added when it gives several). */
  names?: string[];
}

/** A table of current values, one row per series of the first query. */
export interface TableDef {
  /** Label whose value names the row. */
  key: string;
  /** Columns: heading, PromQL and unit; rows are matched by `key`. */
  columns: { heading: string; query: string; unit: Unit; up?: boolean }[];
}

/** One overview panel: its headline value with thresholds, its chart and its drill-down. */
export interface PanelDef {
  /** Stable id (`data-panel`, `#/panel/<id>`). */
  id: string;
  /** Title. */
  title: string;
  /** The headline value: one number (the query's largest value when it gives several). */
  value: { query: string; unit: Unit; warning?: number; critical?: number; format?: (v: number) => string };
  /** What the thresholds mean, for people (README and tooltip). */
  explain: string;
  /** The panel's chart. */
  chart: ChartDef;
  /** A table shown under the chart (processes, services). */
  table?: TableDef;
  /** The detailed charts of the drill-down view. */
  details: ChartDef[];
}

const R = '$__rate_interval';
const FS = 'fstype!~"tmpfs|ramfs|devtmpfs|squashfs|overlay|nsfs|fuse.*|autofs|proc|sysfs|cgroup2?"';
const NET = 'device!~"lo|veth.*|docker.*|br-.*|ifb.*"';

/**
 * The panel with its chart shown again first in its drill-down, there titled `detailTitle`
 * (by default the chart's own title).
 */
function chartFirst(panel: PanelDef, detailTitle: string = panel.chart.title): PanelDef {
  return { ...panel, details: [{ ...panel.chart, title: detailTitle }, ...panel.details] };
}

/** The overview's panels, in display order. */
export const PANELS: PanelDef[] = [
  chartFirst({
    id: 'cpu',
    title: 'CPU',
    value: { query: `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[${R}]))`, unit: 'ratio', warning: 0.8, critical: 0.95 },
    explain: 'share of all cores busy (not idle)',
    chart: {
      title: 'CPU by mode',
      // Each mode's share of all CPU time counted, not of the core count: over a few seconds the
      // kernel's tick counts are noisy, and per-core rates can add up to more than the cores.
      queries: [`sum by (mode) (rate(node_cpu_seconds_total{mode!="idle"}[${R}])) / scalar(sum(rate(node_cpu_seconds_total[${R}])))`],
      unit: 'ratio',
      yMax: 1,
      stack: true,
    },
    details: [
      { title: 'Busy per core', queries: [`1 - rate(node_cpu_seconds_total{mode="idle"}[${R}])`], unit: 'ratio', yMax: 1 },
      { title: 'I/O wait per core', queries: [`rate(node_cpu_seconds_total{mode="iowait"}[${R}])`], unit: 'ratio' },
      { title: 'Steal per core (time taken by the hypervisor)', queries: [`rate(node_cpu_seconds_total{mode="steal"}[${R}])`], unit: 'ratio' },
      { title: 'Context switches and interrupts', queries: [`rate(node_context_switches_total[${R}])`, `rate(node_intr_total[${R}])`], names: ['context switches', 'interrupts'], unit: 'count/s' },
      { title: 'Processes running and blocked', queries: ['node_procs_running', 'node_procs_blocked'], names: ['running', 'blocked'], unit: 'count' },
    ],
  }, 'CPU by mode (share of all cores, stacked)'),
  chartFirst({
    id: 'cpu-cores',
    title: 'CPU per core',
    value: { query: `max(1 - rate(node_cpu_seconds_total{mode="idle"}[${R}]))`, unit: 'ratio', warning: 0.9, critical: 0.98 },
    explain: 'busiest core',
    chart: { title: 'Busy per core', queries: [`1 - rate(node_cpu_seconds_total{mode="idle"}[${R}])`], unit: 'ratio', yMax: 1 },
    details: [
      { title: 'User per core', queries: [`rate(node_cpu_seconds_total{mode="user"}[${R}])`], unit: 'ratio' },
      { title: 'System per core', queries: [`rate(node_cpu_seconds_total{mode="system"}[${R}])`], unit: 'ratio' },
      { title: 'Soft IRQ per core', queries: [`rate(node_cpu_seconds_total{mode="softirq"}[${R}])`], unit: 'ratio' },
    ],
  }),
  chartFirst({
    id: 'load',
    title: 'Load',
    value: { query: 'node_load1 / scalar(count(node_cpu_seconds_total{mode="idle"}))', unit: 'none', warning: 1, critical: 2 },
    explain: '1-minute load per core',
    chart: { title: 'Load vs cores', queries: ['node_load1', 'node_load5', 'node_load15', 'count(node_cpu_seconds_total{mode="idle"})'], names: ['1m', '5m', '15m', 'cores'], unit: 'none', dashed: [3] },
    details: [
      { title: 'Load per core', queries: ['node_load1 / scalar(count(node_cpu_seconds_total{mode="idle"}))'], names: ['load per core'], unit: 'none' },
      { title: 'Runnable and blocked processes', queries: ['node_procs_running', 'node_procs_blocked'], names: ['running', 'blocked'], unit: 'count' },
      { title: 'Forks', queries: [`rate(node_forks_total[${R}])`], unit: 'count/s' },
    ],
  }, 'Load averages vs core count'),
  chartFirst({
    id: 'memory',
    title: 'Memory',
    value: { query: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', unit: 'ratio', warning: 0.85, critical: 0.95 },
    explain: 'share of memory not available',
    chart: {
      title: 'Memory',
      queries: [
        'node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes',
        'node_memory_Cached_bytes + node_memory_Buffers_bytes',
        'node_memory_MemAvailable_bytes',
        'node_memory_MemTotal_bytes',
      ], names: ['used', 'cache + buffers', 'available', 'total'],
      unit: 'bytes',
      dashed: [3],
    },
    details: [
      { title: 'Anonymous, page tables, slab', queries: ['node_memory_AnonPages_bytes', 'node_memory_PageTables_bytes', 'node_memory_Slab_bytes', 'node_memory_Shmem_bytes'], names: ['anonymous', 'page tables', 'slab', 'shmem'], unit: 'bytes' },
      { title: 'Dirty and writeback', queries: ['node_memory_Dirty_bytes', 'node_memory_Writeback_bytes'], names: ['dirty', 'writeback'], unit: 'bytes' },
      { title: 'Page faults (major)', queries: [`rate(node_vmstat_pgmajfault[${R}])`], unit: 'count/s' },
      { title: 'Out-of-memory kills', queries: [`increase(node_vmstat_oom_kill[5m])`], unit: 'count' },
    ],
  }, 'Used, cache, available, total'),
  {
    id: 'swap',
    title: 'Swap',
    value: { query: 'clamp_min(node_memory_SwapTotal_bytes - node_memory_SwapFree_bytes, 0) / clamp_min(node_memory_SwapTotal_bytes, 1)', unit: 'ratio', warning: 0.5, critical: 0.8 },
    explain: 'share of swap in use (0 without swap)',
    chart: {
      title: 'Swap used and traffic',
      queries: ['node_memory_SwapTotal_bytes - node_memory_SwapFree_bytes', 'node_memory_SwapTotal_bytes'], names: ['used', 'total'],
      unit: 'bytes',
      dashed: [1],
    },
    details: [
      { title: 'Swap used vs total', queries: ['node_memory_SwapTotal_bytes - node_memory_SwapFree_bytes', 'node_memory_SwapTotal_bytes', 'node_memory_SwapCached_bytes'], names: ['used', 'total', 'cached'], unit: 'bytes', dashed: [1] },
      { title: 'Pages swapped in and out', queries: [`rate(node_vmstat_pswpin[${R}])`, `rate(node_vmstat_pswpout[${R}])`], names: ['in', 'out'], unit: 'count/s' },
    ],
  },
  {
    id: 'pressure',
    title: 'Pressure',
    value: {
      // rate() drops the metric name: without a label of their own the three would be one label set, and `or` would keep CPU only.
      query: `max(${['cpu', 'memory', 'io'].map((r) => `label_replace(rate(node_pressure_${r}_waiting_seconds_total[${R}]), "resource", "${r}", "", "")`).join(' or ')})`,
      unit: 'ratio',
      warning: 0.1,
      critical: 0.3,
    },
    explain: 'largest share of time some task waited (PSI "some")',
    chart: {
      title: 'Stall time (some)',
      queries: [`rate(node_pressure_cpu_waiting_seconds_total[${R}])`, `rate(node_pressure_memory_waiting_seconds_total[${R}])`, `rate(node_pressure_io_waiting_seconds_total[${R}])`], names: ['cpu', 'memory', 'io'],
      unit: 'ratio',
    },
    details: [
      { title: 'CPU: some tasks waiting', queries: [`rate(node_pressure_cpu_waiting_seconds_total[${R}])`], unit: 'ratio' },
      { title: 'Memory: some waiting, all stalled', queries: [`rate(node_pressure_memory_waiting_seconds_total[${R}])`, `rate(node_pressure_memory_stalled_seconds_total[${R}])`], names: ['some waiting', 'all stalled'], unit: 'ratio' },
      { title: 'I/O: some waiting, all stalled', queries: [`rate(node_pressure_io_waiting_seconds_total[${R}])`, `rate(node_pressure_io_stalled_seconds_total[${R}])`], names: ['some waiting', 'all stalled'], unit: 'ratio' },
    ],
  },
  {
    id: 'disk-throughput',
    title: 'Disk throughput',
    value: { query: `sum(rate(node_disk_read_bytes_total[${R}])) + sum(rate(node_disk_written_bytes_total[${R}]))`, unit: 'bytes/s' },
    explain: 'read + written, all devices',
    chart: { title: 'Read and written per device', queries: [`rate(node_disk_read_bytes_total[${R}])`, `rate(node_disk_written_bytes_total[${R}])`], names: ['read', 'written'], unit: 'bytes/s' },
    details: [
      { title: 'Read per device', queries: [`rate(node_disk_read_bytes_total[${R}])`], unit: 'bytes/s' },
      { title: 'Written per device', queries: [`rate(node_disk_written_bytes_total[${R}])`], unit: 'bytes/s' },
      { title: 'Reads and writes completed (IOPS)', queries: [`rate(node_disk_reads_completed_total[${R}])`, `rate(node_disk_writes_completed_total[${R}])`], names: ['reads', 'writes'], unit: 'count/s' },
      { title: 'Requests in flight', queries: ['node_disk_io_now'], unit: 'count' },
    ],
  },
  {
    id: 'disk-latency',
    title: 'Disk latency',
    value: {
      query: `max((rate(node_disk_read_time_seconds_total[${R}]) + rate(node_disk_write_time_seconds_total[${R}])) / ((rate(node_disk_reads_completed_total[${R}]) + rate(node_disk_writes_completed_total[${R}])) > 0)) or vector(0)`,
      unit: 'seconds',
      warning: 0.02,
      critical: 0.1,
    },
    explain: 'slowest device, average time per request',
    chart: {
      title: 'Average time per request',
      queries: [
        `rate(node_disk_read_time_seconds_total[${R}]) / (rate(node_disk_reads_completed_total[${R}]) > 0)`,
        `rate(node_disk_write_time_seconds_total[${R}]) / (rate(node_disk_writes_completed_total[${R}]) > 0)`,
      ], names: ['read', 'write'],
      unit: 'seconds',
    },
    details: [
      { title: 'Read latency per device', queries: [`rate(node_disk_read_time_seconds_total[${R}]) / (rate(node_disk_reads_completed_total[${R}]) > 0)`], unit: 'seconds' },
      { title: 'Write latency per device', queries: [`rate(node_disk_write_time_seconds_total[${R}]) / (rate(node_disk_writes_completed_total[${R}]) > 0)`], unit: 'seconds' },
      { title: 'Average queue length', queries: [`rate(node_disk_io_time_weighted_seconds_total[${R}])`], unit: 'none' },
    ],
  },
  chartFirst({
    id: 'disk-util',
    title: 'Disk utilisation',
    value: { query: `max(rate(node_disk_io_time_seconds_total[${R}]))`, unit: 'ratio', warning: 0.8, critical: 0.95 },
    explain: 'busiest device, share of time with I/O in flight',
    chart: { title: 'Time busy per device', queries: [`rate(node_disk_io_time_seconds_total[${R}])`], unit: 'ratio', yMax: 1 },
    details: [
      { title: 'Weighted time (queue) per device', queries: [`rate(node_disk_io_time_weighted_seconds_total[${R}])`], unit: 'none' },
    ],
  }),
  chartFirst({
    id: 'filesystem',
    title: 'Filesystems',
    value: { query: `max(1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}})`, unit: 'ratio', warning: 0.8, critical: 0.9 },
    explain: 'fullest filesystem, share not available to users',
    chart: { title: 'Used per mount point', queries: [`1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}}`], unit: 'ratio', yMax: 1 },
    table: {
      key: 'mountpoint',
      columns: [
        { heading: 'used', query: `1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}}`, unit: 'ratio' },
        { heading: 'available', query: `node_filesystem_avail_bytes{${FS}}`, unit: 'bytes' },
        { heading: 'size', query: `node_filesystem_size_bytes{${FS}}`, unit: 'bytes' },
      ],
    },
    details: [
      { title: 'Available per mount point', queries: [`node_filesystem_avail_bytes{${FS}}`], unit: 'bytes' },
      { title: 'Inodes used per mount point', queries: [`1 - node_filesystem_files_free{${FS}} / node_filesystem_files{${FS}}`], unit: 'ratio', yMax: 1 },
      { title: 'Full in (linear trend of the last hour)', queries: [`node_filesystem_avail_bytes{${FS}} / -deriv(node_filesystem_avail_bytes{${FS}}[1h]) > 0`], unit: 'seconds' },
    ],
  }),
  {
    id: 'network',
    title: 'Network',
    value: { query: `sum(rate(node_network_receive_bytes_total{${NET}}[${R}])) + sum(rate(node_network_transmit_bytes_total{${NET}}[${R}]))`, unit: 'bytes/s' },
    explain: 'received + sent, all interfaces but loopback and virtual ones',
    chart: { title: 'Received and sent per interface', queries: [`rate(node_network_receive_bytes_total{${NET}}[${R}])`, `rate(node_network_transmit_bytes_total{${NET}}[${R}])`], names: ['received', 'sent'], unit: 'bytes/s' },
    details: [
      { title: 'Received per interface', queries: [`rate(node_network_receive_bytes_total[${R}])`], unit: 'bytes/s' },
      { title: 'Sent per interface', queries: [`rate(node_network_transmit_bytes_total[${R}])`], unit: 'bytes/s' },
      { title: 'Packets received and sent', queries: [`rate(node_network_receive_packets_total[${R}])`, `rate(node_network_transmit_packets_total[${R}])`], names: ['received', 'sent'], unit: 'count/s' },
      { title: 'TCP retransmits and timeouts', queries: [`rate(node_netstat_Tcp_RetransSegs[${R}])`, `rate(node_netstat_TcpExt_TCPTimeouts[${R}])`], names: ['retransmitted segments', 'timeouts'], unit: 'count/s' },
      { title: 'TCP connections established', queries: ['node_netstat_Tcp_CurrEstab'], unit: 'count' },
    ],
  },
  {
    id: 'network-errors',
    title: 'Network errors',
    value: {
      // Errors only: many hosts drop a few packets a second for good (unknown protocols, multicast), which would keep the panel amber; drops are in the chart.
      query: `sum(rate(node_network_receive_errs_total[${R}]) + rate(node_network_transmit_errs_total[${R}]))`,
      unit: 'count/s',
      warning: 0.01,
      critical: 10,
    },
    explain: 'errors per second, all interfaces (drops in the chart)',
    chart: {
      title: 'Errors and drops per interface',
      queries: [
        `rate(node_network_receive_errs_total[${R}]) + rate(node_network_transmit_errs_total[${R}])`,
        `rate(node_network_receive_drop_total[${R}]) + rate(node_network_transmit_drop_total[${R}])`,
      ], names: ['errors', 'drops'],
      unit: 'count/s',
    },
    details: [
      { title: 'Receive errors and drops', queries: [`rate(node_network_receive_errs_total[${R}])`, `rate(node_network_receive_drop_total[${R}])`], names: ['errors', 'drops'], unit: 'count/s' },
      { title: 'Transmit errors and drops', queries: [`rate(node_network_transmit_errs_total[${R}])`, `rate(node_network_transmit_drop_total[${R}])`], names: ['errors', 'drops'], unit: 'count/s' },
      { title: 'UDP receive errors and buffer overflows', queries: [`rate(node_netstat_Udp_InErrors[${R}])`, `rate(node_netstat_Udp_RcvbufErrors[${R}])`], names: ['errors', 'receive buffer full'], unit: 'count/s' },
      { title: 'TCP listen drops and overflows', queries: [`rate(node_netstat_TcpExt_ListenDrops[${R}])`, `rate(node_netstat_TcpExt_ListenOverflows[${R}])`], names: ['drops', 'overflows'], unit: 'count/s' },
    ],
  },
  {
    id: 'processes',
    title: 'Busiest processes',
    value: { query: 'max(vitals_top_process_cpu_usage_ratio)', unit: 'ratio' },
    explain: 'CPU of the busiest process name (1 = one core)',
    chart: { title: 'CPU of the top 5 process names', queries: ['topk(5, vitals_top_process_cpu_usage_ratio)'], unit: 'ratio' },
    table: {
      key: 'name',
      columns: [
        { heading: 'CPU', query: 'topk(5, vitals_top_process_cpu_usage_ratio)', unit: 'ratio' },
        { heading: 'memory', query: 'vitals_top_process_resident_memory_bytes', unit: 'bytes' },
        { heading: 'processes', query: 'vitals_top_process_count', unit: 'count' },
      ],
    },
    details: [
      { title: 'CPU per process name (1 = one core)', queries: ['vitals_top_process_cpu_usage_ratio'], unit: 'ratio' },
      { title: 'Resident memory per process name', queries: ['vitals_top_process_resident_memory_bytes'], unit: 'bytes' },
      { title: 'Processes per name', queries: ['vitals_top_process_count'], unit: 'count' },
    ],
  },
  {
    id: 'services',
    title: 'Services',
    value: { query: 'sum(1 - vitals_service_up)', unit: 'count', critical: 1, format: (v) => (v === 0 ? 'all up' : `${v} down`) },
    explain: 'services with no process (any is critical)',
    chart: { title: 'CPU per service (1 = one core)', queries: [`sum by (service) (rate(vitals_service_cpu_seconds_total[${R}]))`], unit: 'ratio' },
    table: {
      key: 'service',
      columns: [
        { heading: 'up', query: 'vitals_service_up', unit: 'none', up: true },
        { heading: 'CPU', query: `sum by (service) (rate(vitals_service_cpu_seconds_total[${R}]))`, unit: 'ratio' },
        { heading: 'memory', query: 'vitals_service_resident_memory_bytes', unit: 'bytes' },
        { heading: 'processes', query: 'vitals_service_processes', unit: 'count' },
      ],
    },
    details: [
      { title: 'Up', queries: ['vitals_service_up'], unit: 'none' },
      { title: 'CPU per service (1 = one core)', queries: [`sum by (service) (rate(vitals_service_cpu_seconds_total[${R}]))`], unit: 'ratio' },
      { title: 'CPU per service and mode', queries: [`rate(vitals_service_cpu_seconds_total[${R}])`], unit: 'ratio' },
      { title: 'Resident memory per service', queries: ['vitals_service_resident_memory_bytes'], unit: 'bytes' },
      { title: 'Disk read and written per service', queries: [`rate(vitals_service_read_bytes_total[${R}])`, `rate(vitals_service_write_bytes_total[${R}])`], names: ['read', 'written'], unit: 'bytes/s' },
      { title: 'Processes and threads per service', queries: ['vitals_service_processes', 'vitals_service_threads'], names: ['processes', 'threads'], unit: 'count' },
      { title: 'Open file descriptors per service', queries: ['vitals_service_open_fds'], unit: 'count' },
    ],
  },
];

/** The state a value puts its panel in: `neutral` for a value without thresholds (green means checked and fine). */
export type PanelState = 'ok' | 'warning' | 'critical' | 'neutral' | 'nodata';

/** Compares a panel's value with its thresholds (reached or passed means that state). */
export function panelState(v: number | null | undefined, t: { warning?: number; critical?: number }): PanelState {
  if (v === null || v === undefined || Number.isNaN(v)) return 'nodata';
  if (t.warning === undefined && t.critical === undefined) return 'neutral';
  if (t.critical !== undefined && v >= t.critical) return 'critical';
  if (t.warning !== undefined && v >= t.warning) return 'warning';
  return 'ok';
}

/** The thresholds of a headline value for people: "warning at 80%, critical at 95%", "critical at 1", "no thresholds". */
export function limitsText(v: PanelDef['value']): string {
  const parts = [
    v.warning === undefined ? '' : `warning at ${formatValue(v.warning, v.unit)}`,
    v.critical === undefined ? '' : `critical at ${formatValue(v.critical, v.unit)}`,
  ].filter((p) => p !== '');
  return parts.length ? parts.join(', ') : 'no thresholds';
}
