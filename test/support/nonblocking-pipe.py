# Runs a command with stdout on a pipe that is non-blocking and only 4 KiB deep, read only after
# half a second: its writes fill the pipe and meet EAGAIN. Prints {code, stderr, out} as JSON.
#   python3 test/support/nonblocking-pipe.py sshtop --json
import fcntl, json, os, subprocess, sys, time

F_SETPIPE_SZ = 1031
r, w = os.pipe()
fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
os.set_blocking(w, False)
p = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
os.close(w)
time.sleep(0.5)
chunks = []
while True:
    b = os.read(r, 65536)
    if not b:
        break
    chunks.append(b)
err = p.stderr.read()
code = p.wait()
sys.stdout.write(json.dumps({'code': code, 'stderr': err.decode('utf8', 'replace'), 'out': b''.join(chunks).decode('utf8', 'replace')}))
