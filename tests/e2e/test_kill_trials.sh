#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2317  # bash -c '...' _ ARGS on purpose; functions run through check/expect_exit
# Crash consistency under SIGKILL at random points, many trials per mode:
#   1. device issue --count N --archive b.tar   (killed 0-600 ms after the start, less where the batch takes less;
#      rounds of kills, then a run that completes: every recorded device is whole in the archive after each kill,
#      the batch ends exact)
#   2. device issue --count N --out DIR         (killed 0-400 ms after the start, see KILL_FOLDER_MS: a device
#      folder exists whole or not at all; the inventory journal in PKI/.pending is applied by the next command)
#   3. server issue srvK                        (killed 0-20 ms after the start, see KILL_SERVER_MS: all of its
#      files and its row, or none of its files; leftover temporary files are counted and reported)
# plus crash states the random kills reach only rarely, made directly: a finished archive with its sidecar left
# behind; a partial archive already made 0400, resumed by an unprivileged user; a folder batch killed between its
# folders' renames and its rows' commit (a preloaded fsync() holds it there), resumed; a server issue killed before
# each of its four renames (a preloaded renameat2() holds it there), completed by the next command, and one killed
# after its files and before its row (held at the removal of its commit record), recorded by the next command.
#
#   KILL_TRIALS      kills per mode (default 30)
#   KILL_ROUND       kills before the completing run of a batch round (default 3 for archives, 5 for folders)
#   KILL_ARCHIVE_N   devices of the archive batch (default: calibrated so that a batch runs about 0.8 s; 4000-20000)
#   KILL_FOLDER_N    devices of the folder batch (default 2000)
#   KILL_FOLDER_MS   the folder batch's kill window (default 400 ms, longer where files are slow to create)
#   KILL_SERVER_MS   the server issue's kill window (default: 0-20 ms, narrowed to how long one takes here)
#   KILL_MODES       which modes run (default "archive folder server")
#
# Oracles: sqlite3 (the inventory), a small tar/DER reader in python3 written here (every device of every trial:
# entries, order, modes, chain = leaf + device CA, the DER serial), and the openssl CLI on a random sample of each
# trial (openssl storeutl: serial, subject, key <-> certificate via the public key; openssl verify -purpose sslclient
# on 50 devices at the end of a round).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for _tool in sqlite3 tar; do
    command -v "$_tool" >/dev/null 2>&1 || { echo "Bail out! required tool missing: $_tool"; echo "0 passed, 1 failed"; exit 1; }
done

TRIALS=${KILL_TRIALS:-30}
ROUND=${KILL_ROUND:-3}
FOLDER_ROUND=${KILL_ROUND:-5}
FOLDER_N=${KILL_FOLDER_N:-2000}
MODES=" ${KILL_MODES:-archive folder server} "
STARTED=$(date +%s)

KT=$T/kt.py
cat >"$KT" <<'PYEOF'
"""Independent readers for the kill trials: tar (ustar), PEM/DER, manifests, journals. Prints problems, one per
line, and exits 1 when there is any; a last line 'STATS key=value ...' for the test's report."""
import base64, glob, hashlib, json, os, random, re, stat, subprocess, sys

problems = []
def bad(msg):
    problems.append(msg)

def tlv(b, i):
    tag = b[i]; i += 1
    n = b[i]; i += 1
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], 'big'); i += k
    return tag, i, n

def pem_blocks(text, label):
    out, cur = [], None
    for line in text.splitlines():
        if line == '-----BEGIN %s-----' % label:
            cur = []
        elif line == '-----END %s-----' % label and cur is not None:
            out.append(base64.b64decode(''.join(cur)))
            cur = None
        elif cur is not None:
            cur.append(line.strip())
    return out

def der_serial(der):
    t, i, n = tlv(der, 0)      # Certificate
    t, i, n = tlv(der, i)      # tbsCertificate
    t, j, n = tlv(der, i)
    if t == 0xA0:              # [0] version
        i = j + n
        t, j, n = tlv(der, i)
    if t != 0x02:
        raise ValueError('no serial INTEGER')
    return norm(der[j:j + n].hex())

def norm(serial):
    return serial.replace(':', '').upper().lstrip('0')

def read_tar(path):
    """(entries, status, end offset, size); status: end-marker | eof | truncated | junk"""
    with open(path, 'rb') as f:
        data = f.read()
    entries, off, status = [], 0, None
    while True:
        if off + 512 > len(data):
            status = 'eof' if off == len(data) else 'truncated'
            break
        h = data[off:off + 512]
        if h.count(0) == 512:
            status = 'end-marker'
            break
        try:
            chk = int(h[148:156].replace(b'\0', b' ').strip() or b'0', 8)
            size = int(h[124:136].replace(b'\0', b' ').strip() or b'0', 8)
            mode = int(h[100:108].replace(b'\0', b' ').strip() or b'0', 8)
        except ValueError:
            status = 'junk'
            break
        if chk != sum(h[:148]) + 8 * 32 + sum(h[156:]):
            status = 'junk'
            break
        name = h[:100].split(b'\0')[0].decode()
        if h[257:262] == b'ustar':
            pre = h[345:500].split(b'\0')[0].decode()
            if pre:
                name = pre + '/' + name
        d0 = off + 512
        if d0 + size > len(data):
            status = 'truncated'
            break
        entries.append({'name': name, 'mode': mode, 'type': h[156:157], 'data': data[d0:d0 + size]})
        off = d0 + (size + 511) // 512 * 512
    return entries, status, off, data

def group_devices(entries):
    """[(id, {file: (mode, bytes)}, last file name)], in archive order, and the other entries"""
    devs, other = [], []
    for e in entries:
        if '/' in e['name']:
            did, f = e['name'].split('/', 1)
            if not devs or devs[-1][0] != did:
                devs.append((did, {}, None))
            d = devs[-1]
            if f in d[1]:
                bad('%s: %s twice in a row' % (did, f))
            d[1][f] = (e['mode'], e['data'])
            devs[-1] = (did, d[1], f)
        else:
            other.append(e)
    return devs, other

def check_device(did, files, ca_der, want_serial, where):
    """files: name -> (mode, bytes). Returns the DER serial (or None)."""
    key, cert, chain = (files.get('%s.%s.pem' % (did, k)) for k in ('key', 'cert', 'chain'))
    for n, v in (('key', key), ('cert', cert), ('chain', chain)):
        if v is None:
            bad('%s: %s: no %s.%s.pem' % (where, did, did, n))
    if key is None or cert is None or chain is None:
        return None
    if key[0] & 0o777 != 0o400:
        bad('%s: %s.key.pem has mode %o, expected 400' % (where, did, key[0] & 0o777))
    kt = key[1].decode('ascii', 'replace')
    if not (kt.startswith('-----BEGIN PRIVATE KEY-----\n') and kt.rstrip().endswith('-----END PRIVATE KEY-----')):
        bad('%s: %s.key.pem is not a whole PKCS#8 PEM key' % (where, did))
    certs = pem_blocks(cert[1].decode('ascii', 'replace'), 'CERTIFICATE')
    keys = pem_blocks(kt, 'PRIVATE KEY')
    # a P-256 key carries its public point (BIT STRING 03 42 00 04 X Y) at its end: the certificate must hold it
    if len(keys) == 1 and len(certs) == 1 and keys[0][-68:-65] == b'\x03\x42\x00' and keys[0][-65:] not in certs[0]:
        bad('%s: %s: the public key in %s.key.pem is not the certificate\'s' % (where, did, did))
    chains = pem_blocks(chain[1].decode('ascii', 'replace'), 'CERTIFICATE')
    if len(certs) != 1:
        bad('%s: %s.cert.pem holds %d certificates' % (where, did, len(certs)))
        return None
    if len(chains) != 2 or chains[0] != certs[0] or chains[1] != ca_der:
        bad('%s: %s.chain.pem is not [its certificate, device-ca] (%d certificates)' % (where, did, len(chains)))
    try:
        s = der_serial(certs[0])
    except Exception as e:
        bad('%s: %s: cannot read the certificate: %s' % (where, did, e))
        return None
    if want_serial is not None and s != norm(want_serial):
        bad('%s: %s: certificate serial %s, inventory says %s' % (where, did, s, want_serial))
    return s

def read_rows(path):
    rows = []
    for line in open(path):
        line = line.rstrip('\n')
        if line:
            name, serial, status = line.split('|')[:3]
            rows.append((name, serial, status))
    return rows

def rows_sane(rows):
    names = [r[0] for r in rows]
    if len(set(names)) != len(names):
        bad('inventory: a device is recorded more than once')
    serials = [norm(r[1]) for r in rows]
    if len(set(serials)) != len(serials):
        bad('inventory: duplicate serials among the devices')
    for r in rows:
        if r[2] != 'valid':
            bad('inventory: %s has status %s' % (r[0], r[2]))

def ossl(args, data=None):
    p = subprocess.run(['openssl'] + args, input=data, capture_output=True)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')

def storeutl_objects(text):
    """the objects openssl storeutl -text printed, in order: {'type', 'pub', 'serial', 'subject'}"""
    objs, cur, hexlines = [], None, None
    for line in text.splitlines():
        s = line.strip()
        m = re.fullmatch(r'\d+: (Pkey|Certificate|.*)', line)
        if m:
            cur = {'type': m.group(1), 'pub': '', 'serial': '', 'subject': ''}
            objs.append(cur)
            hexlines = None
            continue
        if cur is None:
            continue
        if hexlines is not None and re.fullmatch(r'[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*:?', s):
            cur[hexlines] += s.rstrip(':') + ':'
            continue
        hexlines = None
        if s == 'pub:':
            hexlines = 'pub'
        elif s.startswith('Serial Number:'):
            rest = s[len('Serial Number:'):].strip()
            if rest:     # a small serial: "12345 (0x3039)"
                cur['serial'] = re.sub(r'.*\(0x([0-9a-fA-F]+)\).*', r'\1', rest)
            else:
                hexlines = 'serial'
        elif s.startswith('Subject:') and not cur['subject']:
            cur['subject'] = s[len('Subject:'):].strip()
    return objs

def openssl_sample(sample, scratch, serials, where, verify=None):
    """sample: [(id, key bytes, cert bytes, chain bytes)]. openssl (storeutl -text, one process) reads each key and
    certificate: the certificate's serial and CN, and the key's public half against the certificate's; with
    verify = (root, device-ca), openssl verify -purpose sslclient checks the certificates."""
    if not sample:
        return
    os.makedirs(scratch, exist_ok=True)
    mix = b''
    paths = []
    for did, key, cert, chain in sample:
        cp = os.path.join(scratch, did + '.cert.pem')
        with open(cp, 'wb') as f:
            f.write(cert)
        paths.append(cp)
        mix += key + cert
    mp = os.path.join(scratch, 'mix.pem')
    with open(mp, 'wb') as f:
        f.write(mix)
    rc, out, err = ossl(['storeutl', '-noout', '-text', mp])
    os.unlink(mp)
    objs = storeutl_objects(out)
    if rc != 0 or [o['type'] for o in objs] != ['Pkey', 'Certificate'] * len(sample):
        bad('%s: openssl storeutl read %s from %d keys + certificates (exit %d)'
            % (where, [o['type'] for o in objs][:6], len(sample), rc))
    else:
        for i, (did, *_) in enumerate(sample):
            k, c = objs[2 * i], objs[2 * i + 1]
            if not k['pub'] or k['pub'] != c['pub']:
                bad('%s: openssl: the key of %s is not the key of its certificate' % (where, did))
            if norm(c['serial']) != norm(serials[did]):
                bad('%s: openssl: serial of %s is %s, expected %s' % (where, did, c['serial'], serials[did]))
            if not re.search(r'(^|, )CN ?= ?%s(,|$)' % re.escape(did), c['subject']):
                bad('%s: openssl: subject of %s is %s' % (where, did, c['subject']))
    if verify:
        rc, out, err = ossl(['verify', '-x509_strict', '-purpose', 'sslclient', '-CAfile', verify[0],
                             '-untrusted', verify[1]] + paths)
        oks = sum(1 for l in out.splitlines() if l.endswith(': OK'))
        if rc != 0 or oks != len(paths):
            bad('%s: openssl verify -purpose sslclient: %d of %d OK: %s' % (where, oks, len(paths), (out + err)[-400:]))
    for p in paths:
        os.unlink(p)

def pick(ids, k):
    if len(ids) <= k:
        return list(ids)
    s = set(random.sample(ids, k))
    s.update([ids[0], ids[-1]])
    return [i for i in ids if i in s]

def expected_ids(prefix, n):
    return ['%s%06d' % (prefix, i) for i in range(1, n + 1)]

def manifest_lines(text, where):
    lines = text.splitlines()
    if not lines or lines[0] != 'id,serial,sha256,not_after':
        bad('%s: manifest.csv header is %r' % (where, lines[:1]))
        return []
    return [l.split(',') for l in lines[1:]]

def check_manifests(csv_text, json_text, certs_by_id, rows_by_id, n, where):
    lines = manifest_lines(csv_text, where)
    if len(lines) != n:
        bad('%s: manifest.csv lists %d devices, expected %d' % (where, len(lines), n))
    ids = [l[0] for l in lines]
    serials = [norm(l[1]) for l in lines if len(l) == 4]
    if len(set(ids)) != len(ids) or len(set(serials)) != len(serials):
        bad('%s: manifest.csv repeats an id or a serial' % where)
    for l in lines:
        if len(l) != 4:
            bad('%s: manifest.csv line %r' % (where, l)); continue
        did, s, fp, _ = l
        if did not in certs_by_id:
            bad('%s: manifest.csv lists %s, which is not in the output' % (where, did)); continue
        der = certs_by_id[did]
        if norm(s) != der_serial(der):
            bad('%s: manifest.csv: serial of %s is %s, its certificate says %s' % (where, did, s, der_serial(der)))
        want_fp = ':'.join('%02X' % b for b in hashlib.sha256(der).digest())
        if fp.upper() != want_fp:
            bad('%s: manifest.csv: sha256 of %s is %s, expected %s' % (where, did, fp, want_fp))
        if did not in rows_by_id or norm(rows_by_id[did]) != norm(s):
            bad('%s: manifest.csv: %s serial %s, inventory has %s' % (where, did, s, rows_by_id.get(did)))
    try:
        j = json.loads(json_text)
        if [(o['id'], norm(o['serial'])) for o in j] != [(l[0], norm(l[1])) for l in lines if len(l) == 4]:
            bad('%s: manifest.json and manifest.csv differ' % where)
    except Exception as e:
        bad('%s: manifest.json: %s' % (where, e))

def ca_der_of(path):
    return pem_blocks(open(path).read(), 'CERTIFICATE')[0]

def cmd_archive(argv):
    """archive MODE(kill|final) TAR ROWS CA_CERT ROOT_CERT PREFIX N SIDECAR SCRATCH"""
    mode, tar, rows_f, ca, root, prefix, n, sidecar, scratch = argv
    n = int(n)
    where = os.path.basename(tar)
    ca_der = ca_der_of(ca)
    rows = read_rows(rows_f)
    rows_sane(rows)
    rows_by_id = {r[0]: r[1] for r in rows}
    stats = {'rows': len(rows), 'devices': 0, 'complete': 0, 'status': 'absent', 'size': 0}
    if not os.path.exists(tar):
        if rows:
            bad('%s does not exist, but the inventory records %d devices in it' % (where, len(rows)))
        return stats
    entries, status, end, data = read_tar(tar)
    stats['status'] = status
    stats['size'] = len(data)
    devs, other = group_devices(entries)
    stats['devices'] = len(devs)
    order = [d[0] for d in devs]
    complete = [d[0] for d in devs if d[2] == '%s.chain.pem' % d[0]]
    stats['complete'] = len(complete)
    pos = {did: i for i, did in enumerate(order)}
    if len(pos) != len(order):
        bad('%s: a device appears twice' % where)
    by_id = {d[0]: d for d in devs}
    serials = {}
    for did, serial, _ in rows:
        d = by_id.get(did)
        if d is None:
            bad('%s: %s is in the inventory but not in the archive' % (where, did)); continue
        if d[2] != '%s.chain.pem' % did:
            bad('%s: %s is recorded, but its last entry is %s, not its chain' % (where, did, d[2]))
        serials[did] = check_device(did, d[1], ca_der, serial, where)
    # the recorded devices are the archive's first devices: a resume keeps the archive up to its last recorded one
    recorded = sorted((pos[r[0]] for r in rows if r[0] in pos))
    if recorded and recorded != list(range(len(recorded))):
        first_gap = next(i for i, p in enumerate(recorded) if p != i)
        bad('%s: the recorded devices are not the first %d of the archive (device %s at position %d is not recorded)'
            % (where, len(recorded), order[first_gap], first_gap))
    if mode == 'kill':
        if os.path.exists(sidecar):
            lines = open(sidecar).read().splitlines()
            stats['sidecar'] = len(lines)
            want = [(did, norm(rows_by_id.get(did, ''))) for did in order[:len(recorded)]]
            got = [(l.split(',')[0], norm(l.split(',')[1])) for l in lines[:len(recorded)] if l.count(',') == 3]
            if got != want:
                bad('%s: the partial manifest does not start with the %d recorded devices (it has %d lines)'
                    % (where, len(want), len(lines)))
        elif rows:
            bad('%s: %d devices recorded, but there is no partial manifest' % (where, len(rows)))
    else:
        if status != 'end-marker' or data[end:].count(0) != len(data) - end or len(data) - end < 1024:
            bad('%s: does not end with the end-of-archive blocks (%s at %d of %d)' % (where, status, end, len(data)))
        if order != expected_ids(prefix, n):
            bad('%s: holds %d devices, expected exactly %s000001..%06d in order' % (where, len(order), prefix, n))
        if len(rows) != n:
            bad('inventory: %d %s rows, expected %d' % (len(rows), prefix, n))
        for did in order:
            if did not in serials:
                serials[did] = check_device(did, by_id[did][1], ca_der, rows_by_id.get(did), where)
        names = [e['name'] for e in other]
        if names != ['manifest.csv', 'manifest.json'] or entries[-2]['name'] != 'manifest.csv':
            bad('%s: the entries after the devices are %s, expected manifest.csv, manifest.json' % (where, names))
        else:
            certs = {did: pem_blocks(by_id[did][1]['%s.cert.pem' % did][1].decode(), 'CERTIFICATE')[0] for did in order
                     if '%s.cert.pem' % did in by_id[did][1]}
            check_manifests(other[0]['data'].decode(), other[1]['data'].decode(), certs, rows_by_id, n, where)
    ids = [r[0] for r in rows if r[0] in by_id] if mode == 'kill' else order
    sample = [(did,) + tuple(by_id[did][1]['%s.%s.pem' % (did, k)][1] for k in ('key', 'cert', 'chain'))
              for did in pick(ids, 10 if mode == 'kill' else 48)
              if all('%s.%s.pem' % (did, k) in by_id[did][1] for k in ('key', 'cert', 'chain'))]
    openssl_sample(sample, scratch, {d: rows_by_id.get(d, serials.get(d) or '') for d, *_ in sample}, where,
                   (root, ca) if mode == 'final' else None)
    stats['sample'] = len(sample)
    return stats

def read_journals(pending):
    out = {}
    for p in sorted(glob.glob(os.path.join(pending, '*.json'))):
        if os.path.basename(p).startswith('.'):
            continue
        try:
            j = json.load(open(p))
        except Exception as e:
            bad('journal %s is not JSON: %s' % (p, e)); continue
        for r in j.get('inserts', []):
            out.setdefault(r.get('name'), []).append(r.get('serial', ''))
    return out

def cmd_folders(argv):
    """folders MODE(kill|final) DIR ROWS CA_CERT ROOT_CERT PREFIX N PENDING SCRATCH"""
    mode, d, rows_f, ca, root, prefix, n, pending, scratch = argv
    n = int(n)
    where = os.path.basename(d)
    ca_der = ca_der_of(ca)
    rows = read_rows(rows_f)
    rows_sane(rows)
    rows_by_id = {r[0]: r[1] for r in rows}
    journals = read_journals(pending)
    stats = {'rows': len(rows), 'folders': 0, 'partial': 0, 'tmp': 0, 'journal_only': 0,
             'journals': len([p for p in glob.glob(os.path.join(pending, '*.json')) if not os.path.basename(p).startswith('.')])}
    if not os.path.isdir(d):
        if rows:
            bad('%s does not exist, but the inventory records %d devices in it' % (where, len(rows)))
        return stats
    st = os.stat(d)
    if st.st_mode & 0o077:
        bad('%s has mode %o: group/other may enter the folder of device keys' % (where, st.st_mode & 0o777))
    folders, files = [], {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if name.startswith('.partial-'):
            stats['partial'] += 1
            if mode == 'final':
                bad('%s: %s left behind' % (where, name))
            continue
        if '.tmp-' in name or '.bak-' in name:
            stats['tmp'] += 1
            continue
        if os.path.isdir(p):
            folders.append(name)
        elif name in ('manifest.csv', 'manifest.json'):
            files[name] = open(p).read()
        else:
            bad('%s: unexpected %s' % (where, name))
    stats['folders'] = len(folders)
    serials, contents = {}, {}
    for did in folders:
        p = os.path.join(d, did)
        m = os.stat(p).st_mode & 0o777
        if m != 0o700:
            bad('%s/%s has mode %o, expected 700' % (where, did, m))
        names = sorted(os.listdir(p))
        want = sorted('%s.%s.pem' % (did, k) for k in ('key', 'cert', 'chain'))
        if names != want:
            bad('%s/%s holds %s, expected %s' % (where, did, names, want))
        fs = {}
        for f in names:
            fp = os.path.join(p, f)
            fs[f] = (os.stat(fp).st_mode, open(fp, 'rb').read())
        contents[did] = fs
        want_serial = rows_by_id.get(did)
        if want_serial is None:
            js = journals.get(did, [])
            if mode == 'kill' and js:
                stats['journal_only'] += 1
                s = check_device(did, fs, ca_der, None, where)
                if s is not None and s not in [norm(x) for x in js]:
                    bad('%s/%s: serial %s is neither in the inventory nor in a pending journal' % (where, did, s))
                serials[did] = s
                continue
            bad('%s/%s exists, but neither the inventory nor a pending journal records it' % (where, did))
        serials[did] = check_device(did, fs, ca_der, want_serial, where)
    for did, _, _ in rows:
        if did not in contents:
            bad('inventory records %s at %s, but its folder does not exist' % (did, where))
    if mode == 'final':
        if folders != expected_ids(prefix, n):
            bad('%s: %d device folders, expected exactly %s000001..%06d' % (where, len(folders), prefix, n))
        if len(rows) != n:
            bad('inventory: %d %s rows, expected %d' % (len(rows), prefix, n))
        if stats['journals']:
            bad('%d inventory journals left in .pending after a completed run' % stats['journals'])
        if set(files) != {'manifest.csv', 'manifest.json'}:
            bad('%s: manifest files %s' % (where, sorted(files)))
        else:
            certs = {did: pem_blocks(fs['%s.cert.pem' % did][1].decode(), 'CERTIFICATE')[0] for did, fs in contents.items()
                     if '%s.cert.pem' % did in fs}
            check_manifests(files['manifest.csv'], files['manifest.json'], certs, rows_by_id, n, where)
    sample = [(did,) + tuple(contents[did]['%s.%s.pem' % (did, k)][1] for k in ('key', 'cert', 'chain'))
              for did in pick(folders, 10 if mode == 'kill' else 48)
              if all('%s.%s.pem' % (did, k) in contents[did] for k in ('key', 'cert', 'chain'))]
    openssl_sample(sample, scratch, {x[0]: rows_by_id.get(x[0]) or serials.get(x[0]) or '' for x in sample}, where,
                   (root, ca) if mode == 'final' else None)
    stats['sample'] = len(sample)
    return stats

def main():
    cmd, argv = sys.argv[1], sys.argv[2:]
    stats_file = os.environ.get('KT_STATS')
    stats = {'archive': cmd_archive, 'folders': cmd_folders}[cmd](argv)
    if stats_file:
        with open(stats_file, 'w') as f:
            f.write(' '.join('%s=%s' % kv for kv in stats.items()) + '\n')
    for p in problems[:40]:
        print(p)
    if len(problems) > 40:
        print('... and %d more' % (len(problems) - 40))
    sys.exit(1 if problems else 0)

main()
PYEOF

# --- helpers --------------------------------------------------------------------------------------------------
# ms_to_s MS: "0.123"
ms_to_s() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
# rows DB PREFIX: "name|serial|status" of the devices with that prefix
rows() { dbq "$1" "SELECT name, serial, status FROM certificates WHERE name LIKE '$2%' ORDER BY name"; }
# stat_of KEY: a value from the last stats file
stat_of() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$T/stats" 2>/dev/null; }
# tmp_leftovers DIR...: files whose names say they are temporary (FileTransaction's .NAME.tmp-/.bak-, the
# manifests' NAME.tmp-)
tmp_leftovers() { find "$@" \( -name '*.tmp-*' -o -name '*.bak-*' \) 2>/dev/null | wc -l; }
tmp_list() { find "$1" \( -name '*.tmp-*' -o -name '*.bak-*' \) -printf '%P\n' 2>/dev/null | sort; }
# killed_run DELAY_MS LOG DIR CMD...: run CMD in DIR (stdin /dev/null), SIGKILL it DELAY_MS later; KRC = its status
KRC=0
killed_run() {
    local ms=$1 log=$2 dir=$3; shift 3
    (cd "$dir" && exec "$@") </dev/null >"$log" 2>&1 &
    local pid=$!
    sleep "$(ms_to_s "$ms")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null; KRC=$?
}
dup_serials() { # DB: serials recorded more than once
    local d; d=$(dbq "$1" "SELECT serial, count(*) FROM certificates GROUP BY upper(ltrim(serial,'0')) HAVING count(*) > 1")
    [ -z "$d" ] && return 0
    echo "duplicate serials: $d"; return 1
}

srv_files() { # NAME: how many of its 4 files exist
    local n=0 f
    for f in "$S/$1/private/$1.key.pem" "$S/$1/certs/$1.cert.pem" "$S/$1/$1.chain.pem" "$S/$1/csr/$1.csr.pem"; do
        [ -e "$f" ] && n=$((n + 1))
    done
    echo "$n"
}
srv_whole() { # NAME: its files, its valid row with the certificate's serial, key = certificate, chain verifies
    local n=$1 c=$S/$1/certs/$1.cert.pem
    [ "$(srv_files "$n")" = 4 ] || { echo "$(srv_files "$n") of 4 files"; return 1; }
    [ "$(row_of "$DB" "$(cert_serial "$c")" 'name||status')" = "${n}valid" ] || { echo "no valid row for the serial of $c"; return 1; }
    pubkeys_match "$c" "$S/$n/private/$n.key.pem" || { echo "key does not match the certificate"; return 1; }
    csr_pubkey_matches "$c" "$S/$n/csr/$n.csr.pem" || { echo "CSR key does not match the certificate"; return 1; }
    ossl_verify "$BUNDLE" "$S/$n/$n.chain.pem" -verify_hostname "$n.example.com" >/dev/null || { echo "chain does not verify"; return 1; }
}

# hold_so: builds (once) a preload library that catches a process at one point and waits there for ever, after
# creating the file $KT_HOLD_MARK: at its fsync() of the directory $KT_HOLD_FSYNC_OF, at its $KT_HOLD_RENAME_NTH-th
# rename into a path that starts with $KT_HOLD_RENAME_UNDER (before that rename), or at its unlink() of a path that
# ends with $KT_HOLD_UNLINK_SUFFIX (before it). Empty when no C compiler.
HOLD_SO=""
hold_so() {
    [ -n "$HOLD_SO" ] && { echo "$HOLD_SO"; return; }
    command -v cc >/dev/null 2>&1 || return 0
    cat >"$T/hold.c" <<'CEOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void hold(void) {
    close(open(getenv("KT_HOLD_MARK"), O_CREAT | O_WRONLY, 0600));
    for (;;) pause();
}
int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    const char *dir = getenv("KT_HOLD_FSYNC_OF"), *mark = getenv("KT_HOLD_MARK");
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (dir && mark && n > 0) {
        path[n] = 0;
        if (strcmp(path, dir) == 0) hold();
    }
    return real(fd);
}
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    static int (*real)(int, const char *, int, const char *, unsigned int);
    static int seen;
    if (!real) real = (int (*)(int, const char *, int, const char *, unsigned int))dlsym(RTLD_NEXT, "renameat2");
    const char *under = getenv("KT_HOLD_RENAME_UNDER"), *nth = getenv("KT_HOLD_RENAME_NTH");
    if (under && nth && getenv("KT_HOLD_MARK") && strncmp(newpath, under, strlen(under)) == 0 && ++seen == atoi(nth)) hold();
    return real(olddirfd, oldpath, newdirfd, newpath, flags);
}
int unlink(const char *path) {
    static int (*real)(const char *);
    if (!real) real = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
    const char *suffix = getenv("KT_HOLD_UNLINK_SUFFIX");
    size_t n = strlen(path), k = suffix ? strlen(suffix) : 0;
    if (suffix && getenv("KT_HOLD_MARK") && n >= k && strcmp(path + n - k, suffix) == 0) hold();
    return real(path);
}
CEOF
    cc -shared -fPIC -O1 -o "$T/hold.so" "$T/hold.c" -ldl 2>/dev/null && HOLD_SO=$T/hold.so && echo "$HOLD_SO"
}

# held_kill MARK LOG DIR VAR=VALUE... -- CMD...: runs CMD in DIR (stdin /dev/null, output to LOG) with the hold_so
# preload and the given variables (KT_HOLD_MARK=MARK), waits (at most 30 s) until it is held there or has exited,
# then SIGKILLs it. Whether it was held: test -e MARK.
held_kill() {
    local mark=$1 log=$2 dir=$3 pid i vars=()
    shift 3
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    rm -f "$mark"
    # a sanitizer build wants its runtime first among the preloaded libraries
    local preload=$HOLD_SO asan
    asan=$(ldd "$1" 2>/dev/null | awk '/libasan/ { print $3; exit }')
    [ -n "$asan" ] && preload=$asan:$HOLD_SO
    (cd "$dir" && exec env LD_PRELOAD="$preload" KT_HOLD_MARK="$mark" "${vars[@]}" "$@") </dev/null >"$log" 2>&1 &
    pid=$!
    for ((i = 0; i < 600; i++)); do
        [ -e "$mark" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

# crash_after_rename DESC OUT PKI [ARGS...]: in a fresh copy of the template ($T/jr-N, the working directory), mqttpki
# --pki PKI device issue --count 20 --prefix j- --jobs 1 ARGS, with OUT (where its folders go, relative to the copy)
# held at its fsync, the one that follows the folders' renames and precedes the rows' commit; SIGKILLed there. Then
# the same command again must record the 20 devices.
JR=0
crash_after_rename() {
    local desc=$1 out=$2 pki=$3; shift 3
    JR=$((JR + 1))
    local R=$T/jr-$JR n
    mkdir -p "$R"; cp -a "$TPL" "$R/pki"
    held_kill "$R/held" "$R/run.log" "$R" KT_HOLD_FSYNC_OF="$(realpath -m "$R/$out")" -- \
        "$MQTTPKI" --pki "$pki" device issue --count 20 --prefix j- --jobs 1 "$@"
    local rows_now journals
    n=$(find "$R/$out" -mindepth 1 -maxdepth 1 -type d -name 'j-*' 2>/dev/null | wc -l)
    rows_now=$(rows "$R/pki/inventory.db" j- | wc -l)
    journals=$(find "$R/pki/.pending" -maxdepth 1 -name '*.json' ! -name '.*' 2>/dev/null | wc -l)
    if [ ! -e "$R/held" ] || [ "$n" != 20 ] || [ "$rows_now" != 0 ] || [ "$journals" = 0 ]; then
        _fail "crash after renames ($desc): state not reached ($n folders, $rows_now rows, $journals journals)" "$(tail -n 3 "$R/run.log")"
        rm -rf "$R"; return
    fi
    _pass "crash after renames ($desc): killed with 20 device folders in place, a journal in .pending, no rows yet"
    expect_exit 0 "crash after renames ($desc): the same command again" \
        bash -c 'cd "$1" && shift && exec "$1" --pki "$2" device issue --count 20 --prefix j- --jobs 1 "${@:3}"' _ "$R" "$MQTTPKI" "$pki" "$@"
    check "crash after renames ($desc): the inventory records the 20 devices" test "$(rows "$R/pki/inventory.db" j- | wc -l)" = 20
    check "crash after renames ($desc): the journal is gone" \
        test "$(find "$R/pki/.pending" -maxdepth 1 -name '*.json' ! -name '.*' | wc -l)" = 0
    rm -rf "$R"
}

# --- the PKI all trials start from ------------------------------------------------------------------------------
TPL=$T/template
expect_exit 0 "template: quickstart" "$MQTTPKI" --pki "$TPL" quickstart --san kill.example.com --no-passphrase
expect_exit 0 "template: ca create device-ca --for client" "$MQTTPKI" --pki "$TPL" ca create device-ca --for client --no-passphrase
ROOT_CERT=$TPL/root-ca/certs/root-ca.cert.pem
DCA_CERT=$TPL/device-ca/certs/device-ca.cert.pem
SCRATCH=$T/scratch

A_KILLED=0 A_MID=0 A_DONE=0 A_START=0 A_ROUNDS=0 A_TMP=0 A_OTHER=0 A_STUCK=0 ARCHIVE_N=- ARCHIVE_MS=600
F_STUCK=0 F_KILLED=0 F_MID=0 F_DONE=0 F_START=0 F_ROUNDS=0 F_TMP=0 F_JOURNAL=0 F_JOURNAL_ONLY=0 F_PARTIAL=0
S_KILLED=0 S_MID=0 S_DONE=0 S_START=0 S_JOURNAL=0 S_TMP_TRIALS=0 S_TMP_KEPT=0 S_PARTIAL=0 S_TMP_END=0

# batch_ms COUNT OUTPUT...: milliseconds (at least 1) a copy of the template PKI takes to issue COUNT devices into
# OUTPUT (--archive c.tar or --out d): the calibration of the kill windows on this machine, now
batch_ms() {
    local count=$1 c=$T/calibrate t0 t1 ms; shift
    mkdir -p "$c"; cp -a "$TPL" "$c/pki"
    t0=$(date +%s%N)
    (cd "$c" && "$MQTTPKI" --pki pki device issue --count "$count" --prefix c- "$@") </dev/null >/dev/null 2>&1
    t1=$(date +%s%N)
    rm -rf "$c"
    ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -gt 0 ] || ms=1
    echo "$ms"
}

# === 1. archive batches =========================================================================================
mode_archive() {
    if [ -n "${KILL_ARCHIVE_N:-}" ]; then
        ARCHIVE_N=$KILL_ARCHIVE_N
    else
        # calibration: a batch of 8000 on this machine now, scaled to about 0.8 s, so that a kill at 0-600 ms lands
        # mid-batch in most first runs and, with what is left, in some of the resumed ones; where even 20000 take
        # less, the kill window shrinks to the time they take
        ms=$(batch_ms 8000 --archive c.tar)
        ARCHIVE_N=$(( 8000 * 800 / ms / 1000 * 1000 ))
        [ "$ARCHIVE_N" -lt 4000 ] && ARCHIVE_N=4000
        [ "$ARCHIVE_N" -gt 20000 ] && ARCHIVE_N=20000
        ARCHIVE_MS=$(( ms * ARCHIVE_N / 8000 ))
        [ "$ARCHIVE_MS" -lt 100 ] && ARCHIVE_MS=100
        [ "$ARCHIVE_MS" -gt 600 ] && ARCHIVE_MS=600
        note "calibration: 8000 devices into an archive in $ms ms"
    fi
    note "archive mode: N=$ARCHIVE_N devices, $TRIALS kills at 0-$ARCHIVE_MS ms, $ROUND kills per round, then a completing run"

    trial=0
    while [ "$trial" -lt "$TRIALS" ]; do
        A_ROUNDS=$((A_ROUNDS + 1))
        R=$T/arc-$A_ROUNDS
        mkdir -p "$R"; cp -a "$TPL" "$R/pki"
        DB=$R/pki/inventory.db
        broken=0
        for ((k = 0; k < ROUND && trial < TRIALS; k++)); do
            trial=$((trial + 1))
            ms=$((RANDOM % (ARCHIVE_MS + 1)))
            before="$(rows "$DB" k- | wc -l) $(stat -c %s "$R/b.tar.partial" 2>/dev/null)"
            killed_run "$ms" "$R/run.log" "$R" "$MQTTPKI" --pki pki device issue --count "$ARCHIVE_N" --prefix k- --archive b.tar
            rows "$DB" k- >"$T/rows"
            after="$(wc -l <"$T/rows") $(stat -c %s "$R/b.tar.partial" 2>/dev/null)"
            case $KRC in
                137) A_KILLED=$((A_KILLED + 1))
                     if [ "$before" != "$after" ] || [ -e "$R/b.tar" ]; then A_MID=$((A_MID + 1)); else A_START=$((A_START + 1)); fi ;;
                0) A_DONE=$((A_DONE + 1)) ;;
                *) A_OTHER=$((A_OTHER + 1)); broken=1
                   _fail "archive trial $trial: the batch exited $KRC before the kill (expected 0 or SIGKILL)" "$(tail -n 5 "$R/run.log")" ;;
            esac
            if [ -e "$R/b.tar" ]; then tar=$R/b.tar; m="final"; else tar=$R/b.tar.partial; m="kill"; fi
            rm -f "$T/stats"
            KT_STATS=$T/stats check "archive trial $trial (kill at $ms ms, exit $KRC, $(wc -l <"$T/rows") recorded): every recorded device is whole in ${tar##*/}, in order, serials as recorded (openssl on a sample)" \
                python3 "$KT" archive "$m" "$tar" "$T/rows" "$DCA_CERT" "$ROOT_CERT" k- "$ARCHIVE_N" "$R/b.tar.partial-manifest" "$SCRATCH"
            note "archive trial $trial: kill at $ms ms, exit $KRC; $(cat "$T/stats" 2>/dev/null)"
            check "archive trial $trial: no duplicate serials in the inventory" dup_serials "$DB"
            [ "$broken" = 1 ] && break # the batch cannot go on: the rest of the round would only repeat it
        done
        if ! expect_exit 0 "archive round $A_ROUNDS: the same command run again completes" \
            bash -c 'cd "$1" && exec "$2" --pki pki device issue --count "$3" --prefix k- --archive b.tar' _ "$R" "$MQTTPKI" "$ARCHIVE_N"; then
            note "archive round $A_ROUNDS: not checked further (the batch did not complete)"; A_STUCK=$((A_STUCK + 1))
            rm -rf "$R"; continue
        fi
        rows "$DB" k- >"$T/rows"
        check "archive round $A_ROUNDS: b.tar complete: exactly $ARCHIVE_N whole devices in order, manifest = inventory = certificates, unique serials, a sample of 48 verifies (openssl -purpose sslclient)" \
            python3 "$KT" archive final "$R/b.tar" "$T/rows" "$DCA_CERT" "$ROOT_CERT" k- "$ARCHIVE_N" "$R/b.tar.partial-manifest" "$SCRATCH"
        check "archive round $A_ROUNDS: GNU tar reads b.tar to its end: $((3 * ARCHIVE_N + 2)) entries" \
            bash -c 'tar -tf "$1" >"$3"; rc=$?; n=$(wc -l <"$3"); [ "$rc" = 0 ] && [ "$n" = "$2" ] || { echo "tar -tf: exit $rc, $n entries"; exit 1; }' _ "$R/b.tar" "$((3 * ARCHIVE_N + 2))" "$T/tar-list"
        check "archive round $A_ROUNDS: b.tar is 0400" mode_is "$R/b.tar" 400
        check "archive round $A_ROUNDS: no b.tar.partial left" test ! -e "$R/b.tar.partial"
        check "archive round $A_ROUNDS: no b.tar.partial-manifest left" test ! -e "$R/b.tar.partial-manifest"
        check "archive round $A_ROUNDS: inventory: $ARCHIVE_N valid k- rows, $ARCHIVE_N distinct serials" \
            test "$(dbq "$DB" "SELECT count(*), count(DISTINCT serial) FROM certificates WHERE name LIKE 'k-%' AND status='valid'")" = "$ARCHIVE_N|$ARCHIVE_N"
        check "archive round $A_ROUNDS: no duplicate serials in the inventory" dup_serials "$DB"
        check "archive round $A_ROUNDS: sqlite3 integrity_check ok" test "$(dbq "$DB" 'PRAGMA integrity_check')" = ok
        n_tmp=$(tmp_leftovers "$R")
        A_TMP=$((A_TMP + n_tmp))
        [ "$n_tmp" -gt 0 ] && note "archive round $A_ROUNDS: $n_tmp temporary files left by the kills: $(find "$R" \( -name '*.tmp-*' -o -name '*.bak-*' \) -printf '%P ' | head -c 300)"
        if [ "$A_ROUNDS" = 1 ]; then
            sz=$(stat -c '%s %Y' "$R/b.tar")
            expect_exit 0 "archive round 1: a finished batch run again" \
                bash -c 'cd "$1" && exec "$2" --pki pki device issue --count "$3" --prefix k- --archive b.tar' _ "$R" "$MQTTPKI" "$ARCHIVE_N"
            check "archive round 1: ... issues nothing and leaves b.tar as it is" test "$(stat -c '%s %Y' "$R/b.tar")" = "$sz"
            check "archive round 1: ... and the inventory as it is" test "$(rows "$DB" k- | wc -l)" = "$ARCHIVE_N"
        fi
        rm -rf "$R"
    done

    # --- crash states the random kills reach rarely, made directly -------------------------------------------------------
    # (a) killed after the finished archive was renamed into place, before its sidecar was removed: the next run of the
    #     batch (a finished batch) must not leave the sidecar behind for ever.
    R=$T/arc-sidecar; mkdir -p "$R"; cp -a "$TPL" "$R/pki"
    expect_exit 0 "sidecar state: a batch of 50" bash -c 'cd "$1" && exec "$2" --pki pki device issue --count 50 --prefix s- --archive b.tar' _ "$R" "$MQTTPKI"
    tar -xOf "$R/b.tar" manifest.csv | tail -n +2 >"$R/b.tar.partial-manifest"; chmod 600 "$R/b.tar.partial-manifest"
    expect_exit 0 "sidecar state: the same command again (the sidecar of a killed run is still there)" \
        bash -c 'cd "$1" && exec "$2" --pki pki device issue --count 50 --prefix s- --archive b.tar' _ "$R" "$MQTTPKI"
    check "sidecar state: the rerun removes the leftover b.tar.partial-manifest" test ! -e "$R/b.tar.partial-manifest"
    rm -rf "$R"

    # (b) killed between the final chmod 0400 of b.tar.partial and its rename: an unprivileged owner must still be able to
    #     resume (root would ignore the mode, so the batch runs as nobody).
    if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
        chmod 711 "$T"
        R=$T/arc-0400; mkdir -p "$R"; cp -a "$TPL" "$R/pki"; chown -R nobody: "$R"
        as_nobody() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"; }
        killed_run 300 "$R/run.log" "$R" setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
            "$MQTTPKI" --pki pki device issue --count 40000 --prefix n- --archive b.tar
        if [ "$KRC" = 137 ] && [ -e "$R/b.tar.partial" ]; then
            chmod 400 "$R/b.tar.partial"
            expect_exit 0 "0400 partial: an unprivileged user resumes the batch" \
                as_nobody bash -c 'cd "$1" && exec "$2" --pki pki device issue --count 40000 --prefix n- --archive b.tar' _ "$R" "$MQTTPKI"
        else
            note "0400 partial: the unprivileged batch was not caught mid-way (exit $KRC); skipped"
        fi
        rm -rf "$R"
    else
        note "setpriv or user nobody missing: the 0400 partial-archive state is not checked"
    fi
}

# === 2. per-folder batches ======================================================================================
mode_folder() {
    if [ -n "${KILL_FOLDER_MS:-}" ]; then
        FOLDER_MS=$KILL_FOLDER_MS
    else
        # 0-400 ms covers a batch of 2000 folders on an idle machine; where creating files is slower (a busy disk),
        # the window grows to 90% of the batch's estimated time (a tenth of it, timed), at most 2 s
        ms=$(batch_ms $((FOLDER_N / 10)) --out d)
        FOLDER_MS=$(( ms * 9 ))
        [ "$FOLDER_MS" -lt 400 ] && FOLDER_MS=400
        [ "$FOLDER_MS" -gt 2000 ] && FOLDER_MS=2000
        note "calibration: $((FOLDER_N / 10)) device folders in $ms ms"
    fi
    note "folder mode: N=$FOLDER_N devices, $TRIALS kills at 0-$FOLDER_MS ms, $FOLDER_ROUND kills per round, then a completing run"
    trial=0
    while [ "$trial" -lt "$TRIALS" ]; do
        F_ROUNDS=$((F_ROUNDS + 1))
        R=$T/dir-$F_ROUNDS
        mkdir -p "$R"; cp -a "$TPL" "$R/pki"
        DB=$R/pki/inventory.db
        broken=0
        for ((k = 0; k < FOLDER_ROUND && trial < TRIALS; k++)); do
            trial=$((trial + 1))
            ms=$(( (RANDOM * 32768 + RANDOM) % (FOLDER_MS + 1) ))
            before="$(rows "$DB" k- | wc -l) $(find "$R/d" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
            killed_run "$ms" "$R/run.log" "$R" "$MQTTPKI" --pki pki device issue --count "$FOLDER_N" --prefix k- --out d
            rows "$DB" k- >"$T/rows"
            after="$(wc -l <"$T/rows") $(find "$R/d" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
            case $KRC in
                137) F_KILLED=$((F_KILLED + 1))
                     if [ "$before" != "$after" ]; then F_MID=$((F_MID + 1)); else F_START=$((F_START + 1)); fi ;;
                0) F_DONE=$((F_DONE + 1)) ;;
                *) broken=1
                   _fail "folder trial $trial: the batch exited $KRC before the kill (expected 0 or SIGKILL)" "$(tail -n 5 "$R/run.log")" ;;
            esac
            rm -f "$T/stats"
            KT_STATS=$T/stats check "folder trial $trial (kill at $ms ms, exit $KRC, $(wc -l <"$T/rows") recorded): every device folder is whole (key 0400, cert, chain, folder 0700), recorded in the inventory or a pending journal with its serial; every row has its folder (openssl on a sample)" \
                python3 "$KT" folders kill "$R/d" "$T/rows" "$DCA_CERT" "$ROOT_CERT" k- "$FOLDER_N" "$R/pki/.pending" "$SCRATCH"
            note "folder trial $trial: kill at $ms ms, exit $KRC; $(cat "$T/stats" 2>/dev/null)"
            [ "$(stat_of journals)" -gt 0 ] 2>/dev/null && F_JOURNAL=$((F_JOURNAL + 1))
            [ "$(stat_of journal_only)" -gt 0 ] 2>/dev/null && F_JOURNAL_ONLY=$((F_JOURNAL_ONLY + 1))
            [ "$(stat_of partial)" -gt 0 ] 2>/dev/null && F_PARTIAL=$((F_PARTIAL + 1))
            check "folder trial $trial: no duplicate serials in the inventory" dup_serials "$DB"
            [ "$broken" = 1 ] && break # the batch cannot go on: the rest of the round would only repeat it
        done
        if ! expect_exit 0 "folder round $F_ROUNDS: the same command run again completes" \
            bash -c 'cd "$1" && exec "$2" --pki pki device issue --count "$3" --prefix k- --out d' _ "$R" "$MQTTPKI" "$FOLDER_N"; then
            note "folder round $F_ROUNDS: not checked further (the batch did not complete)"; F_STUCK=$((F_STUCK + 1))
            rm -rf "$R"; continue
        fi
        rows "$DB" k- >"$T/rows"
        KT_STATS=$T/stats check "folder round $F_ROUNDS: exactly $FOLDER_N whole device folders, $FOLDER_N rows, no journal or .partial- left, manifest = inventory = certificates, a sample of 48 verifies (openssl -purpose sslclient)" \
            python3 "$KT" folders final "$R/d" "$T/rows" "$DCA_CERT" "$ROOT_CERT" k- "$FOLDER_N" "$R/pki/.pending" "$SCRATCH"
        check "folder round $F_ROUNDS: manifest.csv has $FOLDER_N device lines (after its header)" \
            test "$(tail -n +2 "$R/d/manifest.csv" | wc -l)" = "$FOLDER_N"
        check "folder round $F_ROUNDS: inventory: $FOLDER_N valid k- rows, $FOLDER_N distinct serials" \
            test "$(dbq "$DB" "SELECT count(*), count(DISTINCT serial) FROM certificates WHERE name LIKE 'k-%' AND status='valid'")" = "$FOLDER_N|$FOLDER_N"
        check "folder round $F_ROUNDS: no duplicate serials in the inventory" dup_serials "$DB"
        check "folder round $F_ROUNDS: sqlite3 integrity_check ok" test "$(dbq "$DB" 'PRAGMA integrity_check')" = ok
        if [ "$F_ROUNDS" = 1 ]; then
            expect_exit 0 "folder round 1: show k-000001 (from the directory the batch ran in)" \
                bash -c 'cd "$1" && exec "$2" --pki pki show k-000001' _ "$R" "$MQTTPKI"
            expect_out_not_contains "MISSING" "folder round 1: show finds k-000001's files where the batch put them (the inventory's paths are usable)"
        fi
        n_tmp=$(tmp_leftovers "$R")
        F_TMP=$((F_TMP + n_tmp))
        [ "$n_tmp" -gt 0 ] && note "folder round $F_ROUNDS: $n_tmp temporary files left by the kills: $(find "$R" \( -name '*.tmp-*' -o -name '*.bak-*' \) -printf '%P ' | head -c 300)"
        rm -rf "$R"
    done

    # --- the crash state between a chunk's folder renames and its rows' commit, made directly ---------------------
    # The random kills reach it only now and then (the journal_only count): a preloaded fsync() holds the batch at
    # the fsync of its output folder that follows the renames, and it is killed there: a journal in .pending,
    # folders, no rows. The next run must record them.
    hold_so >/dev/null
    if [ -n "$HOLD_SO" ]; then
        crash_after_rename "relative --pki and --out, as typed in a shell" d pki --out d
        crash_after_rename "relative --pki, default --out (PKI/devices)" pki/devices pki
        crash_after_rename "absolute --pki and --out" d "$T/jr-3/pki" --out "$T/jr-3/d"
    else
        note "no C compiler for the fsync-holding preload: the crash between renames and commit is left to the random kills"
    fi
}

# === 3. server issue ============================================================================================
mode_server() {
    S=$T/srv
    cp -a "$TPL" "$S"
    DB=$S/inventory.db
    BUNDLE=$S/ca-bundle.pem
    if [ -n "${KILL_SERVER_MS:-}" ]; then
        SERVER_MS=$KILL_SERVER_MS
    else
        # 0-20 ms, narrowed to the time a server issue takes here (the fastest of 3), so that kills land in it
        SERVER_MS=20
        for i in 1 2 3; do
            t0=$(date +%s%N)
            "$MQTTPKI" --pki "$S" server issue "cal$i" --san "cal$i.example.com" </dev/null >/dev/null 2>&1
            t1=$(date +%s%N)
            ms=$(( (t1 - t0) / 1000000 ))
            [ "$ms" -lt "$SERVER_MS" ] && SERVER_MS=$ms
        done
        [ "$SERVER_MS" -lt 3 ] && SERVER_MS=3
    fi
    note "server mode: $TRIALS kills at 0-$SERVER_MS ms"
    for ((i = 1; i <= TRIALS; i++)); do
        n=srv$i
        ms=$((RANDOM % (SERVER_MS + 1)))
        tmp_before=$(tmp_leftovers "$S")
        tmp_list "$S" >"$T/tmp-before"
        killed_run "$ms" "$T/srv.log" "$S" "$MQTTPKI" --pki "$S" server issue "$n" --san "$n.example.com"
        journals=$(find "$S/.pending" -maxdepth 1 -name '*.json' ! -name '.*' 2>/dev/null | wc -l)
        tmps=$(( $(tmp_leftovers "$S") - tmp_before ))
        files=$(srv_files "$n")
        case $KRC in
            137) S_KILLED=$((S_KILLED + 1))
                 if [ "$files" -gt 0 ] || [ "$journals" -gt 0 ] || [ "$tmps" -gt 0 ] || [ -e "$S/$n" ]; then S_MID=$((S_MID + 1)); else S_START=$((S_START + 1)); fi ;;
            0) S_DONE=$((S_DONE + 1)) ;;
            *) _fail "server trial $i: server issue exited $KRC before the kill (expected 0 or SIGKILL)" "$(cat "$T/srv.log")" ;;
        esac
        [ "$journals" -gt 0 ] && S_JOURNAL=$((S_JOURNAL + 1))
        note "server trial $i: kill at $ms ms, exit $KRC: $files of 4 files, $journals pending journals, $tmps new temporary files"
        expect_exit 0 "server trial $i: list (the next command; applies pending journals)" "$MQTTPKI" --pki "$S" list
        files=$(srv_files "$n")
        if [ "$files" = 4 ]; then
            check "server trial $i: $n whole: key, cert, chain, CSR, its valid row (after the journal), chain verifies" srv_whole "$n"
        elif [ "$files" = 0 ]; then
            _pass "server trial $i: none of $n's files exist"
            check "server trial $i: and no row for $n" test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE name='$n'")" = 0
            expect_exit 0 "server trial $i: server issue $n again completes" "$MQTTPKI" --pki "$S" server issue "$n" --san "$n.example.com"
            check "server trial $i: $n whole after the rerun" srv_whole "$n"
        else
            S_PARTIAL=$((S_PARTIAL + 1))
            _fail "server trial $i: $n has $files of its 4 files (all or nothing expected)" "$(find "$S/$n" -printf '%P\n' 2>/dev/null)"
            expect_exit 0 "server trial $i: server issue $n again completes" "$MQTTPKI" --pki "$S" server issue "$n" --san "$n.example.com"
        fi
        check "server trial $i: no pending journal left after the next command" \
            test "$(find "$S/.pending" -maxdepth 1 -name '*.json' ! -name '.*' 2>/dev/null | wc -l)" = 0
        check "server trial $i: no duplicate serials in the inventory" dup_serials "$DB"
        if [ "$tmps" -gt 0 ]; then
            S_TMP_TRIALS=$((S_TMP_TRIALS + 1))
            left=$(( $(tmp_leftovers "$S") - tmp_before ))
            [ "$left" -gt 0 ] && S_TMP_KEPT=$((S_TMP_KEPT + 1))
            note "server trial $i: after the next successful commands, $left of its $tmps temporary files remain: $(comm -13 "$T/tmp-before" <(tmp_list "$S") | paste -sd' ' | head -c 300)"
        fi
    done
    check "server: sqlite3 integrity_check ok" test "$(dbq "$DB" 'PRAGMA integrity_check')" = ok
    check "server: srv1..srv$TRIALS: $TRIALS valid rows" \
        test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE name LIKE 'srv%' AND status='valid'")" = "$TRIALS"
    S_TMP_END=$(tmp_leftovers "$S")

    # --- a kill between the renames of one commit, made directly ----------------------------------------------------
    # The random kills land there only now and then: the preload holds server issue before its K-th file's rename
    # (K-1 of its 4 files in place), and it is killed there. The next command must put the other files in place.
    hold_so >/dev/null
    if [ -z "$HOLD_SO" ]; then
        note "no C compiler for the rename-holding preload: kills between renames are left to the random kills"
        return
    fi
    local k
    for k in 1 2 3 4; do
        n=mid$k
        held_kill "$T/held" "$T/srv.log" "$S" KT_HOLD_RENAME_UNDER="$S/$n/" KT_HOLD_RENAME_NTH=$k -- \
            "$MQTTPKI" --pki "$S" server issue "$n" --san "$n.example.com"
        files=$(srv_files "$n")
        check "server, killed before rename $k of 4: caught there, with $((k - 1)) of $n's files in place" \
            test -e "$T/held" -a "$files" = $((k - 1))
        check "server, killed before rename $k of 4: its commit record is in .pending" \
            test "$(find "$S/.pending" -maxdepth 1 -name 'tx-*.commit' | wc -l)" = 1
        if [ "$k" = 3 ] && ro_run "$S" true 2>/dev/null; then
            # where the PKI cannot be written (a backup), list works and says what is unfinished; nothing changes
            files_before=$(cd "$S" && find . -printf '%p %s %m\n' | sort)
            expect_exit 0 "server, killed before rename 3 of 4: list where the PKI is read-only" ro_run "$S" "$MQTTPKI" --pki "$S" list
            expect_stderr_contains "1 interrupted command(s) did not put all their files in place, and the PKI directory is read-only: they are completed by the next command that runs where the PKI can be written (their commit records are in .pending)" \
                "server, killed before rename 3 of 4: the read-only list warns of the unfinished command"
            check "server, killed before rename 3 of 4: the read-only list changed nothing" \
                test "$(cd "$S" && find . -printf '%p %s %m\n' | sort)" = "$files_before"
        fi
        expect_exit 0 "server, killed before rename $k of 4: list (the next command)" "$MQTTPKI" --pki "$S" list
        check "server, killed before rename $k of 4: $n whole after it: 4 files, its valid row, chain verifies" srv_whole "$n"
        check "server, killed before rename $k of 4: no commit record, journal or temporary file left" \
            test "$(find "$S/.pending" -maxdepth 1 -type f | wc -l)" = 0 -a "$(tmp_leftovers "$S/$n")" = 0
    done
    # ... and after its files, before its row: held where it removes its commit record (every file is in place
    # and synced; the inventory row is inserted but not committed, the journal is in .pending)
    n=late
    held_kill "$T/held" "$T/srv.log" "$S" KT_HOLD_UNLINK_SUFFIX=.commit -- \
        "$MQTTPKI" --pki "$S" server issue "$n" --san "$n.example.com"
    check "server, killed after its files, before its row: caught there, with its 4 files, a journal and no row" \
        test -e "$T/held" -a "$(srv_files "$n")" = 4 \
        -a "$(find "$S/.pending" -maxdepth 1 -name '*.json' ! -name '.*' | wc -l)" = 1 \
        -a "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE name='$n'")" = 0
    expect_exit 0 "server, killed after its files, before its row: list (the next command)" "$MQTTPKI" --pki "$S" list
    expect_stdout_contains "$n" "server, killed after its files, before its row: list shows $n"
    check "server, killed after its files, before its row: $n whole: its valid row (from the journal), chain verifies" srv_whole "$n"
    check "server, killed after its files, before its row: nothing left in .pending" \
        test "$(find "$S/.pending" -maxdepth 1 -type f | wc -l)" = 0
    check "server, killed after its files, before its row: sqlite3 integrity_check ok" test "$(dbq "$DB" 'PRAGMA integrity_check')" = ok

    # a committed record that cannot be read (damaged on disk): every command stops, names it and writes nothing
    local dead rec
    true & dead=$!
    wait "$dead"
    rec=$S/.pending/tx-$dead-0bad.commit
    printf 'garbage' >"$rec"
    snapshot "$S"
    expect_exit 3 "damaged commit record: list stops" "$MQTTPKI" --pki "$S" list
    expect_out_contains "$rec is the record of an interrupted commit, and it cannot be read: the files it covers may be incomplete; check them, then remove it" \
        "damaged commit record: the message names the record and says what to do"
    expect_exit 3 "damaged commit record: server issue stops" "$MQTTPKI" --pki "$S" server issue bad1 --san bad1.example.com
    assert_unchanged "$S" "damaged commit record: nothing written or changed"
    rm -f "$rec"
    expect_exit 0 "damaged commit record removed: list works again" "$MQTTPKI" --pki "$S" list
}

MODE_TIMES=""
_t0=$(date +%s)
case $MODES in *" archive "*) mode_archive; MODE_TIMES+="archive $(( $(date +%s) - _t0 )) s, "; _t0=$(date +%s) ;; esac
case $MODES in *" folder "*) mode_folder; MODE_TIMES+="folder $(( $(date +%s) - _t0 )) s, "; _t0=$(date +%s) ;; esac
case $MODES in *" server "*) mode_server; MODE_TIMES+="server $(( $(date +%s) - _t0 )) s, " ;; esac

# === report ======================================================================================================
case $MODES in *" archive "*) note "archive mode: $TRIALS trials in $A_ROUNDS rounds (N=$ARCHIVE_N): $A_MID kills landed mid-work, $A_START before any work, $A_DONE runs finished before the kill; $A_STUCK rounds could not be completed; temporary files left: $A_TMP" ;; esac
case $MODES in *" folder "*) note "folder mode:  $TRIALS trials in $F_ROUNDS rounds (N=$FOLDER_N, kills at 0-${FOLDER_MS:-} ms): $F_MID kills landed mid-work, $F_START before any work, $F_DONE runs finished before the kill; $F_JOURNAL kills left a journal ($F_JOURNAL_ONLY with folders only the journal recorded), $F_PARTIAL left .partial- folders; $F_STUCK rounds could not be completed; temporary files left: $F_TMP" ;; esac
case $MODES in *" server "*) note "server mode:  $TRIALS trials (kills at 0-${SERVER_MS:-} ms): $S_MID kills landed mid-work, $S_START before any work, $S_DONE runs finished before the kill; $S_JOURNAL left a journal (applied by list), $S_PARTIAL left some but not all files; $S_TMP_TRIALS kills left temporary files, which the next successful commands left in place in $S_TMP_KEPT of them ($S_TMP_END temporary files at the end)" ;; esac
note "runtime: $(( $(date +%s) - STARTED )) s (${MODE_TIMES%, })"
finish
