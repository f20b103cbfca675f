#!/usr/bin/env bash
# Records real client/server traffic into the test fixtures, byte-exact:
#   imap-proto/tests/fixtures/real/<client>-<scenario>.{client,server}
#   smtp-proto/tests/fixtures/real/<client>-<scenario>.{client,server}
#   dav-proto/tests/fixtures/real/<server>/<server>-<client>-<scenario>.{client,server}
#       plus the HTTP bodies split out: ...-<nn>-{request,response}.{xml,ics,vcf,txt}
# Starts Dovecot + Postfix, Radicale and Apache from scripts/servers/ on loopback, puts
# scripts/record-proxy.py between each client and server (plaintext ports: the starters allow
# plaintext AUTH on loopback), and stops everything at the end. Test passwords only.
#   benches/corpora/real/ (`bench`: the real-traffic benchmark corpora, see record_bench)
#   scripts/record-fixtures.sh [imap|smtp|dav|bench ...]    (default: imap smtp dav)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
servers=$root/scripts/servers
clients=$root/scripts/record-clients
proxy=$root/scripts/record-proxy.py
work=$(mktemp -d /tmp/groupwire-record.XXXXXX)
chmod 755 "$work" # server users (postfix, nobody, www-data) must reach their files
started=()

cleanup() {
  local entry
  for entry in "${started[@]}"; do
    "$servers/${entry%%:*}.sh" stop "${entry#*:}" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

say() { echo "record-fixtures: $*" >&2; }

# start_server NAME -> sources its env into variables prefixed NAME_ (e.g. postfix_SMTP_PORT)
start_server() {
  local name=$1 dir=$work/$1
  "$servers/$name.sh" start "$dir" >/dev/null
  started+=("$name:$dir")
  local key value
  while IFS='=' read -r key value; do
    [ -n "$key" ] && printf -v "${name}_${key}" '%s' "$value"
  done <"$dir/env"
}

# record OUTDIR NAME TARGET_PORT COMMAND: runs COMMAND (bash, with $PROXY_PORT set) through
# the recording proxy; keeps OUTDIR/NAME.client and OUTDIR/NAME.server (first connection).
record() {
  local outdir=$1 name=$2 target=$3 command=$4
  mkdir -p "$outdir" "$work/rec"
  local portfile=$work/rec/$name.port
  rm -f "$portfile" "$work/rec/$name".* "$work/rec/$name"-*.*
  setsid python3 "$proxy" proxy --target "127.0.0.1:$target" --out "$work/rec/$name" \
    --port-file "$portfile" >/dev/null 2>"$work/rec/$name.proxy.log" &
  local pid=$!
  for _ in $(seq 1 100); do [ -s "$portfile" ] && break; sleep 0.05; done
  local status=0
  PROXY_PORT=$(cat "$portfile") bash -c "$command" >"$work/rec/$name.out" 2>&1 || status=$?
  sleep 0.3
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$status" != 0 ]; then
    say "$name: client exited with $status (kept what was recorded):"
    tail -5 "$work/rec/$name.out" >&2
  fi
  if [ ! -s "$work/rec/$name.client" ]; then
    say "$name: nothing recorded"
    return 0
  fi
  # every connection the client opened: NAME, NAME-02, NAME-03, ...
  local file base
  for file in "$work/rec/$name.client" "$work/rec/$name"-*.client; do
    [ -s "$file" ] || continue
    base=$(basename "$file" .client)
    cp "$file" "$outdir/$base.client"
    cp "$work/rec/$base.server" "$outdir/$base.server"
    say "$base: $(wc -c <"$outdir/$base.client") client bytes, $(wc -c <"$outdir/$base.server") server bytes"
  done
}

message_file() {
  cat >"$work/message.eml" <<'EOF'
From: alice@example.test
To: bob@example.test
Subject: groupwire recorded message
Message-ID: <recorded-1@groupwire.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Hello Bob, this message was sent by the fixture recorder.
--b1
Content-Type: text/calendar; charset=utf-8; method=REQUEST

BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//groupwire//recorder//EN
END:VCALENDAR
--b1--
EOF
  sed -i 's/$/\r/' "$work/message.eml"
}

record_smtp() {
  local out=$root/smtp-proto/tests/fixtures/real
  local sub=$postfix_SUBMISSION_PORT mx=$postfix_SMTP_PORT lmtp=$postfix_LMTP_PORT
  local m=$work/message.eml
  record "$out" curl-submit "$sub" \
    "curl -sS smtp://127.0.0.1:\$PROXY_PORT --mail-from alice@example.test --mail-rcpt bob@example.test --mail-rcpt alice@example.test --user alice:alice-password -T $m"
  record "$out" smtplib-submit "$sub" \
    "python3 $clients/smtplib_session.py submit \$PROXY_PORT alice alice-password alice@example.test alice@example.test"
  record "$out" smtplib-pipelining "$sub" \
    "python3 $clients/smtplib_session.py pipelining \$PROXY_PORT alice alice-password alice@example.test bob@example.test"
  record "$out" smtplib-bdat "$sub" \
    "python3 $clients/smtplib_session.py bdat \$PROXY_PORT bob bob-password bob@example.test alice@example.test"
  record "$out" smtplib-lmtp "$lmtp" \
    "python3 $clients/smtplib_session.py lmtp \$PROXY_PORT - - bob@example.test alice@example.test"
  record "$out" raw-esmtp-parameters "$sub" \
    "python3 $clients/smtp_extensions.py \$PROXY_PORT alice alice-password"
  if command -v swaks >/dev/null; then
    record "$out" swaks-auth-plain "$sub" \
      "swaks --server 127.0.0.1:\$PROXY_PORT --helo client.example.test --from bob@example.test --to alice@example.test --auth PLAIN --auth-user bob --auth-password bob-password"
    record "$out" swaks-auth-login-pipelining "$sub" \
      "swaks --server 127.0.0.1:\$PROXY_PORT --helo client.example.test --pipeline --from alice@example.test --to bob@example.test --auth LOGIN --auth-user alice --auth-password alice-password --data $m"
    record "$out" swaks-mx-unknown-user "$mx" \
      "swaks --server 127.0.0.1:\$PROXY_PORT --helo mx.example.org --from someone@example.org --to nobody@example.test; true"
    record "$out" swaks-mx-deliver "$mx" \
      "swaks --server 127.0.0.1:\$PROXY_PORT --helo mx.example.org --from someone@example.org --to alice@example.test --header 'Subject: via MX'"
  else
    say "swaks not installed: skipped swaks sessions"
  fi
  sleep 1 # let LMTP deliveries land before IMAP sessions read them
}

record_imap() {
  local out=$root/imap-proto/tests/fixtures/real
  local port=$postfix_IMAP_PORT m=$work/message.eml
  record "$out" curl-list "$port" \
    "curl -sS --user alice:alice-password imap://127.0.0.1:\$PROXY_PORT/"
  record "$out" curl-append "$port" \
    "curl -sS --user alice:alice-password -T $m imap://127.0.0.1:\$PROXY_PORT/INBOX"
  record "$out" curl-select-fetch "$port" \
    "curl -sS --user alice:alice-password \"imap://127.0.0.1:\$PROXY_PORT/INBOX;UID=1\""
  record "$out" curl-examine-search "$port" \
    "curl -sS --user alice:alice-password \"imap://127.0.0.1:\$PROXY_PORT/INBOX?SUBJECT%20groupwire\""
  record "$out" raw-extensions "$port" \
    "python3 $clients/imap_extensions.py \$PROXY_PORT alice alice-password $postfix_LMTP_PORT"
  record "$out" imaplib-session "$port" \
    "python3 $clients/imaplib_session.py \$PROXY_PORT alice alice-password"
  if command -v mbsync >/dev/null; then
    mkdir -p "$work/mbsync/mail"
    cat >"$work/mbsync/rc" <<EOF
IMAPAccount gw
Host 127.0.0.1
Port PORT
User bob
Pass bob-password
SSLType None
AuthMechs LOGIN

IMAPStore gw-remote
Account gw

MaildirStore gw-local
Path $work/mbsync/mail/
Inbox $work/mbsync/mail/INBOX
SubFolders Verbatim

Channel gw
Far :gw-remote:
Near :gw-local:
Patterns *
Create Near
Sync Pull
SyncState *
EOF
    record "$out" mbsync-pull "$port" \
      "sed -i \"s/^Port .*/Port \$PROXY_PORT/\" $work/mbsync/rc && mbsync -c $work/mbsync/rc -a"
  else
    say "mbsync not installed: skipped"
  fi
  if command -v fetchmail >/dev/null; then
    mkdir -p "$work/fetchmail"
    record "$out" fetchmail-fetch "$port" \
      "printf 'set no syslog\npoll 127.0.0.1 with proto IMAP port %s auth password\n  user \"alice\" there with password \"alice-password\" options keep fetchall sslproto \"\" mda \"/bin/cat >/dev/null\"\n' \$PROXY_PORT >$work/fetchmail/rc && chmod 600 $work/fetchmail/rc && FETCHMAILHOME=$work/fetchmail fetchmail -f $work/fetchmail/rc -N -v --nosyslog"
  else
    say "fetchmail not installed: skipped"
  fi
}

# dav_record SERVER PORT NAME CURL_ARGS...: one curl request, raw exchange + split bodies.
dav_record() {
  local server=$1 port=$2 name=$3
  shift 3
  local out=$root/dav-proto/tests/fixtures/real/$server
  local args
  args=$(printf '%q ' "$@")
  record "$out" "$server-curl-$name" "$port" "curl -sS -o /dev/null ${args//@PORT@/\$PROXY_PORT}"
  if [ -s "$out/$server-curl-$name.client" ]; then
    python3 "$proxy" split-http "$out/$server-curl-$name" "$out" >/dev/null
  fi
}

record_dav() {
  local out=$root/dav-proto/tests/fixtures/real
  mkdir -p "$out"
  local b=$work/dav
  mkdir -p "$b"
  cat >"$b/mkcol-calendar.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set>
    <D:prop>
      <D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
      <D:displayname>Work</D:displayname>
      <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
    </D:prop>
  </D:set>
</D:mkcol>
EOF
  printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//recorder//EN\r\nBEGIN:VEVENT\r\nUID:event-1@groupwire.test\r\nDTSTAMP:20260101T090000Z\r\nDTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:Planning meeting\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$b/event.ics"
  printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//recorder//EN\r\nBEGIN:VTODO\r\nUID:todo-1@groupwire.test\r\nDTSTAMP:20260101T090000Z\r\nDUE:20260110T170000Z\r\nSUMMARY:Write fixtures\r\nEND:VTODO\r\nEND:VCALENDAR\r\n' >"$b/todo.ics"
  cat >"$b/propfind.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">
  <D:prop>
    <D:resourcetype/>
    <D:displayname/>
    <D:getetag/>
    <D:sync-token/>
    <CS:getctag/>
    <C:supported-calendar-component-set/>
    <D:current-user-principal/>
  </D:prop>
</D:propfind>
EOF
  cat >"$b/principal.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="urn:ietf:params:xml:ns:carddav">
  <D:prop>
    <D:current-user-principal/>
    <D:principal-URL/>
    <C:calendar-home-set/>
    <A:addressbook-home-set/>
    <D:supported-report-set/>
  </D:prop>
</D:propfind>
EOF
  cat >"$b/calendar-query.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
    <C:calendar-data/>
  </D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="20260101T000000Z" end="20260201T000000Z"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
EOF
  cat >"$b/calendar-multiget.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
    <C:calendar-data/>
  </D:prop>
  <D:href>/alice/work/event-1.ics</D:href>
  <D:href>/alice/work/todo-1.ics</D:href>
  <D:href>/alice/work/missing.ics</D:href>
</C:calendar-multiget>
EOF
  cat >"$b/sync-collection.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token/>
  <D:sync-level>1</D:sync-level>
  <D:prop>
    <D:getetag/>
  </D:prop>
</D:sync-collection>
EOF
  cat >"$b/mkcol-addressbook.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:A="urn:ietf:params:xml:ns:carddav">
  <D:set>
    <D:prop>
      <D:resourcetype><D:collection/><A:addressbook/></D:resourcetype>
      <D:displayname>Contacts</D:displayname>
    </D:prop>
  </D:set>
</D:mkcol>
EOF
  printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1@groupwire.test\r\nFN:Bob Example\r\nN:Example;Bob;;;\r\nEMAIL;TYPE=INTERNET:bob@example.test\r\nTEL;TYPE=WORK,VOICE:+1-555-0100\r\nEND:VCARD\r\n' >"$b/card.vcf"
  cat >"$b/addressbook-query.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<A:addressbook-query xmlns:D="DAV:" xmlns:A="urn:ietf:params:xml:ns:carddav">
  <D:prop>
    <D:getetag/>
    <A:address-data/>
  </D:prop>
  <A:filter>
    <A:prop-filter name="FN">
      <A:text-match collation="i;unicode-casemap" match-type="contains">bob</A:text-match>
    </A:prop-filter>
  </A:filter>
</A:addressbook-query>
EOF
  cat >"$b/addressbook-multiget.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<A:addressbook-multiget xmlns:D="DAV:" xmlns:A="urn:ietf:params:xml:ns:carddav">
  <D:prop>
    <D:getetag/>
    <A:address-data/>
  </D:prop>
  <D:href>/alice/contacts/card-1.vcf</D:href>
</A:addressbook-multiget>
EOF
  cat >"$b/proppatch.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://ns.example.com/z/">
  <D:set>
    <D:prop><Z:Authors><Z:Author>Alice</Z:Author><Z:Author>Bob</Z:Author></Z:Authors></D:prop>
  </D:set>
  <D:remove>
    <D:prop><Z:Copyright-Owner/></D:prop>
  </D:remove>
</D:propertyupdate>
EOF
  cat >"$b/lockinfo.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:">
  <D:lockscope><D:exclusive/></D:lockscope>
  <D:locktype><D:write/></D:locktype>
  <D:owner><D:href>mailto:alice@example.test</D:href></D:owner>
</D:lockinfo>
EOF
  local xml='Content-Type: application/xml; charset=utf-8'
  local r=$radicale_HTTP_PORT u="alice:alice-password" base="http://127.0.0.1:@PORT@"
  dav_record radicale "$r" principal-propfind -u "$u" -X PROPFIND -H 'Depth: 0' -H "$xml" --data-binary "@$b/principal.xml" "$base/alice/"
  dav_record radicale "$r" mkcol-calendar -u "$u" -X MKCOL -H "$xml" --data-binary "@$b/mkcol-calendar.xml" "$base/alice/work/"
  dav_record radicale "$r" put-event -u "$u" -T "$b/event.ics" -H 'Content-Type: text/calendar; charset=utf-8' -H 'If-None-Match: *' "$base/alice/work/event-1.ics"
  dav_record radicale "$r" put-todo -u "$u" -T "$b/todo.ics" -H 'Content-Type: text/calendar; charset=utf-8' "$base/alice/work/todo-1.ics"
  dav_record radicale "$r" propfind-depth1 -u "$u" -X PROPFIND -H 'Depth: 1' -H "$xml" --data-binary "@$b/propfind.xml" "$base/alice/work/"
  dav_record radicale "$r" report-calendar-query -u "$u" -X REPORT -H 'Depth: 1' -H "$xml" --data-binary "@$b/calendar-query.xml" "$base/alice/work/"
  dav_record radicale "$r" report-calendar-multiget -u "$u" -X REPORT -H 'Depth: 1' -H "$xml" --data-binary "@$b/calendar-multiget.xml" "$base/alice/work/"
  dav_record radicale "$r" report-sync-collection -u "$u" -X REPORT -H "$xml" --data-binary "@$b/sync-collection.xml" "$base/alice/work/"
  dav_record radicale "$r" get-event -u "$u" "$base/alice/work/event-1.ics"
  dav_record radicale "$r" mkcol-addressbook -u "$u" -X MKCOL -H "$xml" --data-binary "@$b/mkcol-addressbook.xml" "$base/alice/contacts/"
  dav_record radicale "$r" put-card -u "$u" -T "$b/card.vcf" -H 'Content-Type: text/vcard; charset=utf-8' "$base/alice/contacts/card-1.vcf"
  dav_record radicale "$r" report-addressbook-query -u "$u" -X REPORT -H 'Depth: 1' -H "$xml" --data-binary "@$b/addressbook-query.xml" "$base/alice/contacts/"
  dav_record radicale "$r" report-addressbook-multiget -u "$u" -X REPORT -H 'Depth: 1' -H "$xml" --data-binary "@$b/addressbook-multiget.xml" "$base/alice/contacts/"
  dav_record radicale "$r" delete-todo -u "$u" -X DELETE "$base/alice/work/todo-1.ics"
  # incremental sync from the token of the first sync-collection report
  local sync_token
  sync_token=$(grep -ao '<sync-token>[^<]*' "$out/radicale/radicale-curl-report-sync-collection.server" | head -1 | sed 's/<sync-token>//' || true)
  if [ -n "$sync_token" ]; then
    sed "s|<D:sync-token/>|<D:sync-token>$sync_token</D:sync-token>|" "$b/sync-collection.xml" >"$b/sync-incremental.xml"
    dav_record radicale "$r" report-sync-collection-incremental -u "$u" -X REPORT -H "$xml" --data-binary "@$b/sync-incremental.xml" "$base/alice/work/"
  fi
  dav_record radicale "$r" put-event-stale-etag -u "$u" -T "$b/event.ics" -H 'Content-Type: text/calendar; charset=utf-8' -H 'If-Match: "stale-etag"' "$base/alice/work/event-1.ics"
  cat >"$b/proppatch-calendar.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
  <D:set>
    <D:prop>
      <D:displayname>Work (renamed)</D:displayname>
      <C:calendar-description>Team calendar</C:calendar-description>
      <I:calendar-color>#FF8000FF</I:calendar-color>
    </D:prop>
  </D:set>
</D:propertyupdate>
EOF
  dav_record radicale "$r" proppatch-calendar -u "$u" -X PROPPATCH -H "$xml" --data-binary "@$b/proppatch-calendar.xml" "$base/alice/work/"
  dav_record radicale "$r" unauthorized -X PROPFIND -H 'Depth: 0' "$base/alice/"
  local a=$apache_HTTP_PORT
  base="http://127.0.0.1:@PORT@/dav"
  printf 'plain text resource\n' >"$b/file.txt"
  dav_record apache "$a" options -u "$u" -X OPTIONS "$base/"
  dav_record apache "$a" put -u "$u" -T "$b/file.txt" "$base/file.txt"
  dav_record apache "$a" mkcol -u "$u" -X MKCOL "$base/folder/"
  dav_record apache "$a" propfind-allprop -u "$u" -X PROPFIND -H 'Depth: 1' "$base/"
  dav_record apache "$a" propfind-prop -u "$u" -X PROPFIND -H 'Depth: 0' -H "$xml" --data-binary "@$b/propfind.xml" "$base/file.txt"
  dav_record apache "$a" proppatch -u "$u" -X PROPPATCH -H "$xml" --data-binary "@$b/proppatch.xml" "$base/file.txt"
  dav_record apache "$a" copy -u "$u" -X COPY -H "Destination: http://127.0.0.1:$a/dav/folder/copy.txt" "$base/file.txt"
  dav_record apache "$a" move -u "$u" -X MOVE -H "Destination: http://127.0.0.1:$a/dav/folder/moved.txt" -H 'Overwrite: F' "$base/folder/copy.txt"
  dav_record apache "$a" lock -u "$u" -X LOCK -H 'Timeout: Second-600' -H "$xml" --data-binary "@$b/lockinfo.xml" "$base/file.txt"
  local token
  token=$(grep -ao 'opaquelocktoken:[^<>]*' "$out/apache/apache-curl-lock.server" | head -1 || true)
  dav_record apache "$a" put-locked-without-token -u "$u" -T "$b/file.txt" "$base/file.txt"
  if [ -n "$token" ]; then
    dav_record apache "$a" put-locked-with-token -u "$u" -T "$b/file.txt" -H "If: (<$token>)" "$base/file.txt"
    dav_record apache "$a" unlock -u "$u" -X UNLOCK -H "Lock-Token: <$token>" "$base/file.txt"
  fi
  dav_record apache "$a" delete-folder -u "$u" -X DELETE "$base/folder/"
  dav_record apache "$a" propfind-missing -u "$u" -X PROPFIND -H 'Depth: 0' "$base/missing"
  dav_record apache "$a" propfind-depth-infinity -u "$u" -X PROPFIND -H 'Depth: infinity' "$base/"
  record_dav_clients
}

# DAV client libraries against Radicale (several requests, possibly several connections).
record_dav_clients() {
  local out=$root/dav-proto/tests/fixtures/real/radicale r=$radicale_HTTP_PORT file
  if /usr/bin/python3 -c 'import caldav' 2>/dev/null; then
    record "$out" radicale-pycaldav-session "$r" \
      "/usr/bin/python3 $clients/caldav_session.py \$PROXY_PORT bob bob-password"
  else
    say "python3-caldav not installed: skipped"
  fi
  if command -v vdirsyncer >/dev/null; then
    local v=$work/vdirsyncer
    mkdir -p "$v/cal" "$v/card" "$v/status"
    sed "s|@DIR@|$v|g" "$clients/vdirsyncer.config" >"$v/config.template"
    record "$out" radicale-vdirsyncer-sync "$r" \
      "sed \"s|@PORT@|\$PROXY_PORT|g\" $v/config.template >$v/config && yes | vdirsyncer -c $v/config discover && vdirsyncer -c $v/config sync"
  else
    say "vdirsyncer not installed: skipped"
  fi
  for file in "$out"/radicale-pycaldav-session*.client "$out"/radicale-vdirsyncer-sync*.client; do
    [ -s "$file" ] && python3 "$proxy" split-http "${file%.client}" "$out" >/dev/null
  done
  return 0
}

write_readmes() {
  local dir
  for dir in imap-proto smtp-proto dav-proto; do
    mkdir -p "$root/$dir/tests/fixtures/real"
    cat >"$root/$dir/tests/fixtures/real/README.md" <<EOF
# Recorded real traffic

Written by \`scripts/record-fixtures.sh\` (regenerate with it; servers from
\`scripts/servers/\`, bytes captured by \`scripts/record-proxy.py\`). Each session is a pair:
\`NAME.client\` holds every byte the client sent, \`NAME.server\` every byte the server sent,
exactly as on the wire (plaintext loopback sessions; test accounts alice / bob with test
passwords only). Session names are \`<client>-<scenario>\` (DAV: \`<server>-<client>-<scenario>\`).
EOF
  done
  cat >>"$root/dav-proto/tests/fixtures/real/README.md" <<'EOF'

DAV sessions are in `radicale/` and `apache/` (one folder per server). Each HTTP body is also
split out: `NAME-<nn>-request.<ext>` / `NAME-<nn>-response.<ext>`
(nn = exchange number on the connection, ext from Content-Type: xml, ics, vcf, txt, html;
bodies sent with Content-Encoding gzip/deflate are decoded in these files, raw in the pair).
Servers: Radicale (CalDAV/CardDAV) and Apache mod_dav (WebDAV class 2). Clients: curl,
python3-caldav (`radicale-pycaldav-*`) and vdirsyncer (`radicale-vdirsyncer-*`). A client
that opens several connections gives NAME, NAME-02, NAME-03, ... pairs.
Files without a `radicale-`/`apache-` prefix (e.g. `*.ics.txt`, `make.py`) are hand-written
client-style samples kept here by the DAV codec work; the recorder does not touch them.
EOF
}

# The real-traffic benchmark corpora (benches/corpora/real/, issue 15): a long submission
# session to Postfix, EHLO/LHLO replies, a Thunderbird-like IMAP session to Dovecot reading
# what was delivered, and CalDAV/CardDAV/WebDAV multistatus bodies from Radicale and Apache.
record_bench() {
  local rec=$work/bench out=$root/benches/corpora/real
  local n=${BENCH_MESSAGES:-250}
  mkdir -p "$rec/dav-radicale" "$rec/dav-apache"
  record "$rec" smtp-postfix "$postfix_SUBMISSION_PORT" \
    "python3 $clients/bench_sessions.py smtp \$PROXY_PORT alice alice-password $n"
  record "$rec" ehlo-postfix-mx "$postfix_SMTP_PORT" \
    "python3 $clients/bench_sessions.py ehlo \$PROXY_PORT"
  record "$rec" lmtp-dovecot "$postfix_LMTP_PORT" \
    "python3 $clients/bench_sessions.py ehlo \$PROXY_PORT lmtp"
  # Let the deliveries land before the IMAP session reads them.
  local _
  for _ in $(seq 1 60); do
    python3 -c "import imaplib,sys; m=imaplib.IMAP4('127.0.0.1',$postfix_IMAP_PORT); m.login('alice','alice-password'); t,d=m.select('INBOX'); sys.exit(0 if int(d[0])>=$n*6//10 else 1)" 2>/dev/null && break
    sleep 1
  done
  record "$rec" imap-dovecot "$postfix_IMAP_PORT" \
    "python3 $clients/bench_sessions.py imap \$PROXY_PORT alice alice-password"
  python3 "$clients/bench_sessions.py" dav "http://127.0.0.1:$radicale_HTTP_PORT/" alice alice-password "$n" "$rec/dav-radicale"
  python3 "$clients/bench_sessions.py" webdav "http://127.0.0.1:$apache_HTTP_PORT/dav" alice alice-password "$n" "$rec/dav-apache"
  rm -rf "$out"
  python3 "$clients/bench_corpora.py" "$rec" "$out"
}

main() {
  local what=("$@")
  [ ${#what[@]} -gt 0 ] || what=(smtp imap dav)
  message_file
  write_readmes
  local need_mail=0 need_dav=0 item
  for item in "${what[@]}"; do
    case $item in
      imap | smtp) need_mail=1 ;;
      dav) need_dav=1 ;;
      bench) need_mail=1 need_dav=1 ;;
      *) echo "unknown: $item (imap|smtp|dav|bench)" >&2; exit 2 ;;
    esac
  done
  if [ $need_mail = 1 ]; then start_server postfix; fi
  if [ $need_dav = 1 ]; then start_server radicale; start_server apache; fi
  for item in "${what[@]}"; do
    case $item in
      smtp) record_smtp ;;
      imap)
        # IMAP sessions read mail; make sure some arrived even when smtp was not recorded.
        [[ " ${what[*]} " == *" smtp "* ]] || python3 "$clients/smtplib_session.py" submit \
          "$postfix_SUBMISSION_PORT" alice alice-password alice@example.test alice@example.test
        sleep 1
        record_imap
        ;;
      dav) record_dav ;;
      bench) record_bench ;;
    esac
  done
}

main "$@"
