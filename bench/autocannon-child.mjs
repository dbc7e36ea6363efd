// Runs autocannon in its own process (so the server's CPU time can be measured apart from the load generator's):
// reads the options as JSON on stdin, prints the result as JSON on stdout.
import autocannon from 'autocannon';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const result = await autocannon(JSON.parse(input));
process.stdout.write(JSON.stringify(result));
