// Runs autocannon in its own process (so the server's CPU time can be measured apart from the load generator's):
// reads the options as JSON on stdin, prints the result as JSON on stdout.
import autocannon from 'autocannon';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const cpu0 = process.cpuUsage();
const result = await autocannon(JSON.parse(input));
// The load generator's own CPU (ms): with the server on the same cores, it is part of the picture.
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ ...result, loadGenCpuMs: (cpu.user + cpu.system) / 1000 }));
