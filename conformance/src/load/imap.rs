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
use groupwire_imap::command::store::{Store, StoreAction};
use groupwire_imap::core::{ByteStr, Flag, Literal, Mailbox, SequenceSet};
use groupwire_imap::response::{Capability, Code, Data, FetchAttribute, Response, Status};
use groupwire_imap::stream::async_client::{AsyncClient, ClientError, Reply};
use groupwire_imap::stream::client::ResponseFrame;

use super::accounts::User;
use super::conn::{BoxIo, Dialer};
use super::tracker::Tracker;

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

fn set(text: &str) -> Result<SequenceSet<'static>, ImapError> {
    text.parse().map_err(|_| ImapError {
        kind: "imap.harness".into(),
        detail: format!("bad sequence set {text}"),
        fatal: false,
    })
}

fn uid_of(attributes: &[FetchAttribute<'_>]) -> Option<u32> {
    attributes.iter().find_map(|a| match a {
        FetchAttribute::Uid(uid) => Some(uid.get()),
        _ => None,
    })
}

fn flagged_of(attributes: &[FetchAttribute<'_>]) -> Option<bool> {
    attributes.iter().find_map(|a| match a {
        FetchAttribute::Flags(flags) => Some(flags.contains(&Flag::Flagged)),
        _ => None,
    })
}

impl ImapSession {
    /// Connects (implicit TLS, STARTTLS or plain, as the endpoint says), logs `user` in and
    /// selects INBOX, telling the tracker its UIDVALIDITY and UIDNEXT.
    pub async fn open(
        dialer: &Dialer,
        user: &User,
        id: u64,
        tracker: &Tracker,
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
        let condstore = decoded(&capabilities)?.iter().any(|r| {
            matches!(r, Response::Data(Data::Capability(caps)) if caps.contains(&Capability::CondStore))
        });
        let mut session = ImapSession {
            client,
            id,
            condstore,
        };
        session.select(user, tracker).await?;
        Ok(session)
    }

    async fn select(&mut self, user: &User, tracker: &Tracker) -> Result<(), ImapError> {
        let reply = ok(&mut self.client, CommandBody::select("INBOX")).await?;
        let (mut validity, mut next) = (None, None);
        for response in decoded(&reply)? {
            if let Response::Status(status) = response {
                match status.text.code {
                    Some(Code::UidValidity(v)) => validity = Some(v.get()),
                    Some(Code::UidNext(n)) => next = Some(n.get()),
                    _ => {}
                }
            }
        }
        if let (Some(validity), Some(next)) = (validity, next) {
            tracker.selected(user.index, &user.address, validity, next);
        }
        Ok(())
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
                let Some(uid) = uid_of(&fetch.attributes) else {
                    continue;
                };
                if uid < from {
                    // `n:*` with n above the highest UID returns the last message (RFC 9051
                    // §6.4.8); it is not new.
                    continue;
                }
                let message_id = fetch.attributes.iter().find_map(|a| match a {
                    FetchAttribute::Envelope(envelope) => envelope.message_id.as_ref(),
                    _ => None,
                });
                tracker.seen(
                    user.index,
                    &user.address,
                    uid,
                    message_id.map(|id| id.bytes()).as_deref(),
                );
                new += 1;
            }
        }
        Ok(new)
    }

    /// `UID FETCH 1:* (UID FLAGS)`: the flags of every INBOX message against what sessions set.
    /// With CONDSTORE, `(UID FLAGS MODSEQ)`, and after the first time with `(CHANGEDSINCE m)`:
    /// then every message whose flag a session changed since the last resync must be listed.
    pub async fn resync(&mut self, user: &User, tracker: &Tracker) -> Result<(), ImapError> {
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
                && let Some(uid) = uid_of(&fetch.attributes)
            {
                present.insert(uid);
                for attribute in &fetch.attributes {
                    if let FetchAttribute::ModSeq(modseq) = attribute {
                        highest = highest.max(*modseq);
                    }
                }
                if let Some(flagged) = flagged_of(&fetch.attributes) {
                    tracker.flags_seen(user.index, &user.address, uid, flagged, self.id, started);
                }
            }
        }
        if since.is_none() {
            // Only a full listing tells which messages are gone.
            tracker.forget_missing(user.index, &present);
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

    /// `APPEND` a message of `size` octets to Sent.
    pub async fn append(&mut self, user: &User, size: usize) -> Result<(), ImapError> {
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
        ok(&mut self.client, CommandBody::Append(append)).await?;
        Ok(())
    }

    /// `UID MOVE` the oldest known INBOX message to Trash.
    pub async fn move_to_trash(&mut self, user: &User, tracker: &Tracker) -> Result<(), ImapError> {
        let Some(uid) = tracker.oldest_uid(user.index) else {
            return self.sync(user, tracker).await.map(|_| ());
        };
        ok(
            &mut self.client,
            CommandBody::Move {
                uid: true,
                set: set(&uid.to_string())?,
                mailbox: Mailbox::from("Trash"),
            },
        )
        .await?;
        tracker.moved(user.index, uid);
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
