//! IMAP actions, on `groupwire-imap`'s client role ([`AsyncClient`] over [`ClientSession`]):
//! every byte the server sends is framed and decoded by the codec; a response that does not
//! decode is a grammar violation, never skipped.
//!
//! [`ClientSession`]: groupwire_imap::stream::session::ClientSession

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use groupwire_imap::command::CommandBody;
use groupwire_imap::command::append::{Append, AppendData, AppendMessage};
use groupwire_imap::command::fetch::FetchModifier;
use groupwire_imap::command::fetch::{FetchAttributeName as Want, Section};
use groupwire_imap::command::mailbox::Create;
use groupwire_imap::command::select::{Qresync, Select, SelectParam};
use groupwire_imap::command::store::{Store, StoreAction};
use groupwire_imap::core::{
    Atom, ByteStr, Flag, IString, LazyList, Literal, Mailbox, SeqNumber, SequenceSet,
};
use groupwire_imap::response::{Capability, Code, Data, FetchAttribute, Response, Status};
use groupwire_imap::stream::async_client::{AsyncClient, ClientError, Reply};
use groupwire_imap::stream::client::ResponseFrame;

use super::accounts::User;
use super::conn::{BoxIo, Dialer};
use super::tracker::{INBOX, Resync, Tracker};

/// Why an IMAP action failed.
#[derive(Debug)]
pub struct ImapError {
    /// The kind counted in the report: `imap.NO`, `imap.BAD`, `imap.BYE`, `imap.io`,
    /// `imap.decode`, `imap.closed`, `imap.connect`, `imap.tls`, `imap.timeout`.
    pub kind: String,
    /// What happened.
    pub detail: String,
    /// Whether the session is unusable after it.
    pub fatal: bool,
}

impl ImapError {
    fn from_client(error: ClientError) -> ImapError {
        let (kind, fatal) = match &error {
            ClientError::Io(_) => ("imap.io", true),
            ClientError::Decode(_) => ("imap.decode", true),
            ClientError::Closed => ("imap.closed", true),
            ClientError::Session(_) => ("imap.session", true),
            ClientError::Rejected(_) => ("imap.BYE", true),
            ClientError::Refused(completion) => match completion.status() {
                Status::Bad => ("imap.BAD", false),
                _ => ("imap.NO", false),
            },
        };
        ImapError {
            kind: kind.to_string(),
            detail: error.to_string(),
            fatal,
        }
    }

    /// Whether this is a grammar violation (a response the codec could not decode).
    pub fn is_grammar(&self) -> bool {
        self.kind == "imap.decode"
    }
}

fn bye(frame: &ResponseFrame) -> ImapError {
    ImapError {
        kind: "imap.BYE".into(),
        detail: String::from_utf8_lossy(frame.as_bytes())
            .trim_end()
            .to_string(),
        fatal: true,
    }
}

/// One logged-in IMAP session with INBOX selected.
pub struct ImapSession {
    client: AsyncClient<BoxIo>,
    /// A number unique in the run, for "set by one session, seen by another".
    pub id: u64,
    /// Whether the server advertises CONDSTORE (resyncs then ask for changes only).
    pub condstore: bool,
    /// Whether QRESYNC is enabled (`ENABLE QRESYNC` answered with `ENABLED QRESYNC`).
    pub qresync: bool,
}

impl std::fmt::Debug for ImapSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSession").field("id", &self.id).finish()
    }
}

/// Decodes every untagged response of a reply, so a grammar violation anywhere is caught;
/// an untagged BYE ends the session.
fn decoded(reply: &Reply) -> Result<Vec<Response<'_>>, ImapError> {
    let mut out = Vec::with_capacity(reply.data.len());
    for frame in &reply.data {
        let response = frame.response().map_err(|error| ImapError {
            kind: "imap.decode".into(),
            detail: format!(
                "{error}: {}",
                String::from_utf8_lossy(&frame.as_bytes()[..frame.as_bytes().len().min(200)])
            ),
            fatal: true,
        })?;
        if let Response::Status(status) = &response
            && status.tag.is_none()
            && status.status == Status::Bye
        {
            return Err(bye(frame));
        }
        out.push(response);
    }
    Ok(out)
}

async fn ok(client: &mut AsyncClient<BoxIo>, body: CommandBody<'_>) -> Result<Reply, ImapError> {
    let reply = client.execute(body).await.map_err(ImapError::from_client)?;
    // A BYE among the data is reported as such even when the completion is a NO.
    decoded(&reply)?;
    reply.ok().map_err(ImapError::from_client)
}

fn harness(detail: &str) -> ImapError {
    ImapError {
        kind: "imap.harness".into(),
        detail: detail.to_string(),
        fatal: false,
    }
}

/// Where APPEND files sent messages.
const SENT: &str = "Sent";
/// Where MOVE files deleted messages.
const TRASH: &str = "Trash";

/// What a SELECT reported.
#[derive(Debug, Default)]
struct Selected {
    uid_validity: Option<u32>,
    uid_next: Option<u32>,
    exists: Option<u32>,
    highest_modseq: Option<u64>,
    vanished: Vec<(u32, u32)>,
    fetched: Vec<Fetched>,
}

/// One FETCH response of a resync.
#[derive(Debug)]
struct Fetched {
    uid: u32,
    flagged: Option<bool>,
    modseq: u64,
}

impl Fetched {
    /// The UID, `\Flagged` and MODSEQ of a FETCH response (`None` without a UID).
    fn read(attributes: &LazyList<'_, FetchAttribute<'_>>) -> Option<Fetched> {
        let read = FetchRead::of(attributes);
        Some(Fetched {
            uid: read.uid?,
            flagged: read.flagged,
            modseq: read.modseq.unwrap_or(0),
        })
    }
}

/// What the load generator reads of a FETCH response, in one pass over its attributes: each
/// is typed as it is read (the list is lazy), so a pass per item would type them all again.
/// The first of each counts, as a search would find it.
#[derive(Default)]
struct FetchRead<'a> {
    uid: Option<u32>,
    flagged: Option<bool>,
    modseq: Option<u64>,
    message_id: Option<IString<'a>>,
}

impl<'a> FetchRead<'a> {
    fn of(attributes: &LazyList<'a, FetchAttribute<'a>>) -> FetchRead<'a> {
        let mut read = FetchRead::default();
        for attribute in attributes {
            match &*attribute {
                FetchAttribute::Uid(uid) => {
                    read.uid = read.uid.or(Some(uid.get()));
                }
                FetchAttribute::Flags(flags) => {
                    read.flagged = read.flagged.or(Some(flags.contains(&Flag::Flagged)));
                }
                FetchAttribute::ModSeq(modseq) => read.modseq = read.modseq.or(Some(*modseq)),
                FetchAttribute::Envelope(envelope) if read.message_id.is_none() => {
                    read.message_id.clone_from(&envelope.message_id);
                }
                _ => {}
            }
        }
        read
    }
}

fn set(text: &str) -> Result<SequenceSet<'static>, ImapError> {
    text.parse().map_err(|_| ImapError {
        kind: "imap.harness".into(),
        detail: format!("bad sequence set {text}"),
        fatal: false,
    })
}

impl ImapSession {
    /// Connects (implicit TLS, STARTTLS or plain, as the endpoint says), logs `user` in,
    /// enables QRESYNC when `want_qresync` and the server offers it (RFC 7162 §3.2.3), and
    /// selects INBOX, telling the tracker its UIDVALIDITY and UIDNEXT.
    pub async fn open(
        dialer: &Dialer,
        user: &User,
        id: u64,
        tracker: &Tracker,
        want_qresync: bool,
    ) -> Result<ImapSession, ImapError> {
        let dial = |e: super::conn::DialError| ImapError {
            kind: format!("imap.{}", e.kind),
            detail: e.detail,
            fatal: true,
        };
        let tcp = dialer.tcp().await.map_err(dial)?;
        let mut client = if dialer.implicit_tls() {
            let io = dialer.tls(tcp).await.map_err(dial)?;
            AsyncClient::connect(io)
                .await
                .map_err(ImapError::from_client)?
                .0
        } else if dialer.starttls() {
            let (mut plain, _) = AsyncClient::connect(tcp)
                .await
                .map_err(ImapError::from_client)?;
            plain
                .execute(CommandBody::StartTls)
                .await
                .and_then(Reply::ok)
                .map_err(ImapError::from_client)?;
            let (tcp, session) = plain.into_parts_for_tls();
            AsyncClient::resume(dialer.tls(tcp).await.map_err(dial)?, session)
        } else {
            let io: BoxIo = Box::new(tcp);
            AsyncClient::connect(io)
                .await
                .map_err(ImapError::from_client)?
                .0
        };
        ok(
            &mut client,
            CommandBody::login(&user.login, user.password.expose()),
        )
        .await?;
        let capabilities = ok(&mut client, CommandBody::Capability).await?;
        let offered = |capability: &Capability<'_>| -> Result<bool, ImapError> {
            Ok(decoded(&capabilities)?.iter().any(|r| {
                matches!(r, Response::Data(Data::Capability(caps)) if caps.contains(capability))
            }))
        };
        let condstore = offered(&Capability::CondStore)?;
        let mut qresync = false;
        if want_qresync && offered(&Capability::QResync)? {
            let enable = CommandBody::Enable(vec![
                Atom::new("QRESYNC").ok_or_else(|| harness("QRESYNC is not an atom"))?,
            ]);
            let reply = ok(&mut client, enable).await?;
            qresync = decoded(&reply)?.iter().any(|r| match r {
                Response::Data(Data::Enabled(caps)) => caps.contains(&Capability::QResync),
                _ => false,
            });
        }
        let mut session = ImapSession {
            client,
            id,
            condstore,
            qresync,
        };
        session.select(user, tracker, INBOX, None).await?;
        Ok(session)
    }

    /// `SELECT folder`, with `(QRESYNC (uidvalidity modseq))` when `qresync` is given; tells
    /// the tracker UIDVALIDITY and UIDNEXT, and returns what the SELECT reported.
    async fn select(
        &mut self,
        user: &User,
        tracker: &Tracker,
        folder: &str,
        qresync: Option<(u32, u64)>,
    ) -> Result<Selected, ImapError> {
        let mut params = Vec::new();
        if let Some((uid_validity, mod_seq)) = qresync {
            params.push(SelectParam::Qresync(Qresync {
                uid_validity,
                mod_seq,
                known_uids: None,
                seq_match: None,
            }));
        }
        let body = CommandBody::Select(Select {
            mailbox: Mailbox::from(folder),
            params,
        });
        let reply = ok(&mut self.client, body).await?;
        let mut selected = Selected::default();
        for response in decoded(&reply)? {
            match response {
                Response::Status(status) => match status.text.code {
                    Some(Code::UidValidity(v)) => selected.uid_validity = Some(v.get()),
                    Some(Code::UidNext(n)) => selected.uid_next = Some(n.get()),
                    Some(Code::HighestModSeq(m)) => selected.highest_modseq = Some(m),
                    _ => {}
                },
                Response::Data(Data::Exists(n)) => selected.exists = Some(n),
                Response::Data(Data::Vanished { uids, .. }) => {
                    for range in uids.iter() {
                        let number = |n: SeqNumber| match n {
                            SeqNumber::Value(v) => v.get(),
                            SeqNumber::Largest => u32::MAX,
                        };
                        let (a, b) = (number(range.start), number(range.end));
                        selected.vanished.push((a.min(b), a.max(b)));
                    }
                }
                Response::Data(Data::Fetch(fetch)) => {
                    if let Some(item) = Fetched::read(&fetch.attributes) {
                        selected.fetched.push(item);
                    }
                }
                _ => {}
            }
        }
        if let (Some(validity), Some(next)) = (selected.uid_validity, selected.uid_next) {
            tracker.selected(user.index, &user.address, folder, validity, next);
        }
        Ok(selected)
    }

    /// SELECTs `folder`; a folder the server does not have (NO) is created, then selected.
    async fn select_or_create(
        &mut self,
        user: &User,
        tracker: &Tracker,
        folder: &str,
        qresync: Option<(u32, u64)>,
    ) -> Result<Selected, ImapError> {
        match self.select(user, tracker, folder, qresync).await {
            Err(error) if error.kind == "imap.NO" && folder != INBOX => {
                let create = Create {
                    mailbox: Mailbox::from(folder),
                    params: Vec::new(),
                };
                ok(&mut self.client, CommandBody::Create(create)).await?;
                self.select(user, tracker, folder, None).await
            }
            other => other,
        }
    }

    /// `NOOP` (so the server announces what arrived: servers need not do so during FETCH),
    /// then `UID FETCH last+1:* (UID FLAGS ENVELOPE)`: every new INBOX message, told to the
    /// tracker.
    pub async fn sync(&mut self, user: &User, tracker: &Tracker) -> Result<usize, ImapError> {
        ok(&mut self.client, CommandBody::Noop).await?;
        let from = tracker.sync_from(user.index);
        let reply = ok(
            &mut self.client,
            CommandBody::uid_fetch(
                set(&format!("{from}:*"))?,
                vec![Want::Uid, Want::Flags, Want::Envelope],
            ),
        )
        .await?;
        let mut new = 0;
        for response in decoded(&reply)? {
            if let Response::Data(Data::Fetch(fetch)) = response {
                let read = FetchRead::of(&fetch.attributes);
                let Some(uid) = read.uid else {
                    continue;
                };
                if uid < from {
                    // `n:*` with n above the highest UID returns the last message (RFC 9051
                    // §6.4.8); it is not new.
                    continue;
                }
                let message_id = read.message_id.as_ref().map(|id| id.bytes());
                tracker.seen(user.index, &user.address, uid, message_id.as_deref());
                new += 1;
            }
        }
        Ok(new)
    }

    /// Resyncs `folders` in turn, then INBOX (left selected), and checks each against what
    /// the session knew ([`Tracker::resynced`]). With QRESYNC enabled (and `use_qresync`), a
    /// folder resynced before is reopened with `SELECT folder (QRESYNC (uidvalidity modseq))`
    /// (RFC 7162 §3.2.5), consuming `VANISHED (EARLIER)` and the FETCHes of changed messages;
    /// then INBOX's new messages are synced. Otherwise INBOX is listed with
    /// `UID FETCH 1:* (UID FLAGS)` (with CONDSTORE, `MODSEQ`, and after the first time
    /// `(CHANGEDSINCE m)`: every message whose flag a session changed since must be listed),
    /// and the other folders with a full `UID FETCH 1:* (UID FLAGS)`.
    pub async fn resync(
        &mut self,
        user: &User,
        tracker: &Tracker,
        folders: &[String],
        use_qresync: bool,
    ) -> Result<(), ImapError> {
        let qresync = use_qresync && self.qresync;
        let mut first_error = None;
        for folder in folders {
            if let Err(error) = self.resync_folder(user, tracker, folder, qresync).await {
                if error.fatal {
                    return Err(error);
                }
                first_error.get_or_insert(error);
            }
        }
        if qresync || !folders.is_empty() {
            self.resync_folder(user, tracker, INBOX, qresync).await?;
        }
        if qresync {
            self.sync(user, tracker).await?;
        } else {
            self.resync_inbox_fetch(user, tracker).await?;
        }
        first_error.map_or(Ok(()), Err)
    }

    /// SELECTs `folder` (with QRESYNC when it was resynced before), lists it in full when
    /// QRESYNC did not apply, and tells the tracker. INBOX without QRESYNC is only SELECTed:
    /// its listing follows in [`ImapSession::resync_inbox_fetch`].
    async fn resync_folder(
        &mut self,
        user: &User,
        tracker: &Tracker,
        folder: &str,
        qresync: bool,
    ) -> Result<(), ImapError> {
        let started = Instant::now();
        let from = if qresync {
            tracker.qresync_from(user.index, folder)
        } else {
            None
        };
        let selected = self.select_or_create(user, tracker, folder, from).await?;
        let Some(uid_validity) = selected.uid_validity else {
            return Err(harness(&format!("SELECT {folder} gave no UIDVALIDITY")));
        };
        let since =
            from.and_then(|(validity, modseq)| (validity == uid_validity).then_some(modseq));
        if folder == INBOX && !qresync {
            return Ok(());
        }
        let mut resync = Resync {
            folder: folder.to_string(),
            uid_validity,
            exists: selected.exists,
            highest_modseq: selected.highest_modseq,
            since,
            vanished: selected.vanished,
            ..Resync::default()
        };
        let fetched = if since.is_some() {
            selected.fetched
        } else {
            // A full listing: the first resync, a new UIDVALIDITY, or no QRESYNC.
            let mut wanted = vec![Want::Uid, Want::Flags];
            if self.condstore {
                wanted.push(Want::ModSeq);
            }
            let reply = ok(
                &mut self.client,
                CommandBody::uid_fetch(set("1:*")?, wanted),
            )
            .await?;
            let mut fetched = Vec::new();
            for response in decoded(&reply)? {
                if let Response::Data(Data::Fetch(fetch)) = response
                    && let Some(item) = Fetched::read(&fetch.attributes)
                {
                    fetched.push(item);
                }
            }
            fetched
        };
        for item in &fetched {
            resync.fetched.insert(item.uid);
            resync.fetched_modseq = resync.fetched_modseq.max(item.modseq);
            if folder == INBOX
                && let Some(flagged) = item.flagged
            {
                tracker.flags_seen(
                    user.index,
                    &user.address,
                    item.uid,
                    flagged,
                    self.id,
                    started,
                );
            }
        }
        tracker.resynced(user.index, &user.address, &resync);
        Ok(())
    }

    /// INBOX without QRESYNC: `UID FETCH 1:* (UID FLAGS)`, with CONDSTORE `MODSEQ` and after
    /// the first time `(CHANGEDSINCE m)`.
    async fn resync_inbox_fetch(
        &mut self,
        user: &User,
        tracker: &Tracker,
    ) -> Result<(), ImapError> {
        let started = Instant::now();
        let since = if self.condstore {
            tracker.modseq(user.index)
        } else {
            None
        };
        let mut wanted = vec![Want::Uid, Want::Flags];
        if self.condstore {
            wanted.push(Want::ModSeq);
        }
        let mut body = CommandBody::uid_fetch(set("1:*")?, wanted);
        if let (Some(since), CommandBody::Fetch(fetch)) = (since, &mut body) {
            fetch.modifiers.push(FetchModifier::ChangedSince(since));
        }
        let reply = ok(&mut self.client, body).await?;
        let mut present = BTreeSet::new();
        let mut highest = 0u64;
        for response in decoded(&reply)? {
            if let Response::Data(Data::Fetch(fetch)) = response
                && let Some(item) = Fetched::read(&fetch.attributes)
            {
                let uid = item.uid;
                present.insert(uid);
                highest = highest.max(item.modseq);
                if let Some(flagged) = item.flagged {
                    tracker.flags_seen(user.index, &user.address, uid, flagged, self.id, started);
                }
            }
        }
        // Only a full listing tells which messages are gone.
        if since.is_none()
            && let Some(uid_validity) = tracker.uid_validity(user.index, INBOX)
        {
            tracker.resynced(
                user.index,
                &user.address,
                &Resync {
                    folder: INBOX.to_string(),
                    uid_validity,
                    fetched: present.clone(),
                    fetched_modseq: highest,
                    ..Resync::default()
                },
            );
        }
        if self.condstore {
            tracker.condstore_resync(user.index, &user.address, since, &present, highest);
        }
        Ok(())
    }

    /// `UID FETCH newest-19:newest (UID ENVELOPE RFC822.SIZE)`.
    pub async fn fetch_headers(&mut self, user: &User, tracker: &Tracker) -> Result<(), ImapError> {
        let Some(newest) = tracker.known_uid(user.index, 0, true) else {
            return self.sync(user, tracker).await.map(|_| ());
        };
        let low = newest.saturating_sub(19).max(1);
        let reply = ok(
            &mut self.client,
            CommandBody::uid_fetch(
                set(&format!("{low}:{newest}"))?,
                vec![Want::Uid, Want::Envelope, Want::Rfc822Size],
            ),
        )
        .await?;
        decoded(&reply)?;
        Ok(())
    }

    /// `UID FETCH uid BODY.PEEK[]` of a known message.
    pub async fn fetch_body(
        &mut self,
        user: &User,
        tracker: &Tracker,
        random: u64,
    ) -> Result<(), ImapError> {
        let Some(uid) = tracker.known_uid(user.index, random, false) else {
            return self.sync(user, tracker).await.map(|_| ());
        };
        let reply = ok(
            &mut self.client,
            CommandBody::uid_fetch(
                set(&uid.to_string())?,
                vec![Want::BodySection {
                    peek: true,
                    section: Section::default(),
                    partial: None,
                }],
            ),
        )
        .await?;
        decoded(&reply)?;
        Ok(())
    }

    /// Toggles `\Flagged` on a known message, tells the tracker once the STORE completed, and
    /// checks the FETCH the STORE returned.
    pub async fn flag(
        &mut self,
        user: &User,
        tracker: &Tracker,
        random: u64,
    ) -> Result<(), ImapError> {
        let Some(uid) = tracker.known_uid(user.index, random, false) else {
            return self.sync(user, tracker).await.map(|_| ());
        };
        let flagged = !tracker.flagged(user.index, uid);
        let store = Store {
            uid: true,
            set: set(&uid.to_string())?,
            modifiers: Vec::new(),
            action: if flagged {
                StoreAction::Add
            } else {
                StoreAction::Remove
            },
            silent: false,
            flags: vec![Flag::Flagged],
        };
        let reply = ok(&mut self.client, CommandBody::Store(store)).await?;
        decoded(&reply)?;
        tracker.flag_set(user.index, uid, flagged, self.id);
        Ok(())
    }

    /// `APPEND` a message of `size` octets to Sent; the UID its APPENDUID names (RFC 4315)
    /// must be in Sent at the next resync.
    pub async fn append(
        &mut self,
        user: &User,
        tracker: &Tracker,
        size: usize,
    ) -> Result<(), ImapError> {
        let message =
            super::smtp::message_text(&user.address, &user.address, "<sent@groupwire.load>", size);
        let append = Append {
            mailbox: Mailbox::from("Sent"),
            messages: vec![AppendMessage {
                flags: Some(vec![Flag::Seen]),
                date: None,
                data: AppendData::Literal(Literal::new(ByteStr::from(message))),
            }],
        };
        tracker.change_started(user.index, SENT);
        let reply = ok(&mut self.client, CommandBody::Append(append)).await?;
        if let Ok(Response::Status(status)) = reply.completion.frame().response()
            && let Some(Code::AppendUid { uid_validity, uids }) = status.text.code
            && let Some(uid) = uids.numbers(0).next()
        {
            tracker.arrived(user.index, &user.address, SENT, uid_validity.get(), uid);
        }
        tracker.change_done(user.index, SENT);
        Ok(())
    }

    /// `UID MOVE` the oldest known INBOX message to Trash; the UID its COPYUID names must be
    /// in Trash at the next resync.
    pub async fn move_to_trash(&mut self, user: &User, tracker: &Tracker) -> Result<(), ImapError> {
        let Some(uid) = tracker.oldest_uid(user.index) else {
            return self.sync(user, tracker).await.map(|_| ());
        };
        tracker.change_started(user.index, INBOX);
        tracker.change_started(user.index, TRASH);
        let reply = ok(
            &mut self.client,
            CommandBody::Move {
                uid: true,
                set: set(&uid.to_string())?,
                mailbox: Mailbox::from(TRASH),
            },
        )
        .await?;
        tracker.moved(user.index, uid);
        // COPYUID (RFC 4315, RFC 6851 §4.3) comes in an untagged OK before the tagged one.
        let copied = decoded(&reply)?
            .into_iter()
            .chain(reply.completion.frame().response().ok())
            .find_map(|response| match response {
                Response::Status(status) => match status.text.code {
                    Some(Code::CopyUid {
                        uid_validity,
                        destination,
                        ..
                    }) => destination
                        .numbers(0)
                        .next()
                        .map(|new| (uid_validity.get(), new)),
                    _ => None,
                },
                _ => None,
            });
        if let Some((uid_validity, new)) = copied {
            tracker.arrived(user.index, &user.address, TRASH, uid_validity, new);
        }
        tracker.change_done(user.index, INBOX);
        tracker.change_done(user.index, TRASH);
        Ok(())
    }

    /// Holds IDLE for at most `hold`, until an update arrives or `stop` fires; returns whether
    /// an update (EXISTS) arrived, after which INBOX should be synced.
    pub async fn idle(
        &mut self,
        hold: Duration,
        stop: &mut tokio::sync::watch::Receiver<bool>,
    ) -> Result<bool, ImapError> {
        let mut idle = self.client.idle().await.map_err(ImapError::from_client)?;
        let deadline = tokio::time::sleep(hold);
        tokio::pin!(deadline);
        let mut woke = false;
        loop {
            tokio::select! {
                update = idle.next_update() => {
                    let frame = update.map_err(ImapError::from_client)?;
                    let response = frame.response().map_err(|error| ImapError {
                        kind: "imap.decode".into(),
                        detail: error.to_string(),
                        fatal: true,
                    })?;
                    match response {
                        Response::Status(status) if status.status == Status::Bye => {
                            return Err(bye(&frame));
                        }
                        Response::Data(Data::Exists(_)) => {
                            woke = true;
                            break;
                        }
                        _ => {}
                    }
                }
                () = &mut deadline => break,
                _ = stop.changed() => break,
            }
        }
        let reply = idle.done().await.map_err(ImapError::from_client)?;
        // An EXISTS that came with IDLE's completion is news as well.
        let late = decoded(&reply)?
            .iter()
            .any(|r| matches!(r, Response::Data(Data::Exists(_))));
        reply.ok().map_err(ImapError::from_client)?;
        Ok(woke || late)
    }

    /// `LOGOUT` (errors ignored: the session ends anyway).
    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            self.client.execute(CommandBody::Logout),
        )
        .await;
    }
}
