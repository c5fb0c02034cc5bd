// Runs s3rver as its own process so the test kit can stop it by PID like every other server.
// argv: <port> <directory> <bucket>. Prints "s3rver.ready <port>" once it listens.
const S3rver = require('s3rver');

const [port, directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  port: Number(port),
  address: '127.0.0.1',
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
server.run().then(
  (address) => process.stdout.write(`s3rver.ready ${address.port}\n`),
  (err) => {
    process.stderr.write(`s3rver.failed ${err?.message}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
