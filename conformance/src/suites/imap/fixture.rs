//! Test data the IMAP checks create: a scratch mailbox per check (named with the run prefix,
//! removed afterwards) holding small plain messages and one multipart message.

use groupwire_imap::response::code::Code;

use super::session::{ImapSession, Reply, literal, quoted};
use crate::engine::{CheckContext, CheckResult, Finding};

/// The mail address of account `index` (the target's `address`, never assumed to be the
/// login: Cyrus logins like `alice` are not addresses). When the target names neither an
/// address nor a domain, the login gets the reserved domain `groupwire.invalid`, so the
/// messages the checks write stay valid RFC 5322; likewise for a missing account.
pub fn address(cx: &CheckContext, index: usize) -> String {
    let address = cx
        .account(index)
        .map(|account| account.address.clone())
        .unwrap_or_else(|_| format!("account{index}"));
    if address.contains('@') {
        address
    } else {
        format!("{address}@groupwire.invalid")
    }
}

/// A plain message from account 0 to account 1 (or to itself); `n` makes its subject and
/// body unique.
pub fn plain_message(cx: &CheckContext, n: usize) -> Vec<u8> {
    let recipient = if cx.account(1).is_ok() { 1 } else { 0 };
    format!(
        "From: Groupwire Sender <{}>\r\nTo: Groupwire Recipient <{}>\r\n\
         Subject: {} plain {n}\r\nMessage-ID: <{}-{n}@groupwire.invalid>\r\n\
         Date: Sun, 22 Nov 2026 10:00:0{} +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\nplain body {n}\r\nsecond line\r\n",
        address(cx, 0),
        address(cx, recipient),
        cx.run_prefix(),
        cx.scratch_name("msg"),
        n % 10
    )
    .into_bytes()
}

/// The multipart/mixed message whose BODYSTRUCTURE the checks inspect.
pub fn multipart_message(cx: &CheckContext) -> Vec<u8> {
    format!(
        "From: Groupwire Sender <{}>\r\nTo: Groupwire Sender <{}>\r\n\
         Subject: {} multipart\r\nMessage-ID: <{}-mp@groupwire.invalid>\r\n\
         Date: Sun, 22 Nov 2026 11:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"gw-boundary\"\r\n\r\n\
         This is a multi-part message in MIME format.\r\n\
         --gw-boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfirst part text\r\n\
         --gw-boundary\r\nContent-Type: application/octet-stream\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgc=\r\n--gw-boundary--\r\n",
        address(cx, 0),
        address(cx, 0),
        cx.run_prefix(),
        cx.scratch_name("msg"),
    )
    .into_bytes()
}

/// A session logged in as account 0 with a fresh scratch mailbox holding `plain` plain
/// messages (and the multipart one when `multipart`), selected when `select`.
pub struct Scratch {
    /// The session.
    pub session: ImapSession,
    /// The scratch mailbox's name.
    pub mailbox: String,
    /// The SELECT reply, when selected.
    pub selected: Option<Reply>,
}

impl Scratch {
    /// Creates the scratch mailbox and fills it.
    pub async fn new(
        cx: &CheckContext,
        plain: usize,
        multipart: bool,
        select: bool,
    ) -> Result<Scratch, Finding> {
        Self::new_with(cx, plain, multipart, select, false).await
    }

    /// [`Scratch::new`], first enabling IMAP4rev2 semantics when `rev2` (see
    /// [`ImapSession::enable_rev2`]).
    pub async fn new_with(
        cx: &CheckContext,
        plain: usize,
        multipart: bool,
        select: bool,
        rev2: bool,
    ) -> Result<Scratch, Finding> {
        let mut session = ImapSession::ready(cx, 0).await?;
        if rev2 {
            session.enable_rev2(cx).await?;
        }
        let mailbox = cx.scratch_name("box");
        create(&mut session, &mailbox).await?;
        for n in 0..plain {
            append(&mut session, &mailbox, "", &plain_message(cx, n)).await?;
        }
        if multipart {
            append(&mut session, &mailbox, "", &multipart_message(cx)).await?;
        }
        let selected = if select {
            Some(
                session
                    .must(&format!("SELECT {}", quoted(&mailbox)))
                    .await?,
            )
        } else {
            None
        };
        Ok(Scratch {
            session,
            mailbox,
            selected,
        })
    }

    /// Deletes the scratch mailbox, logs out, and returns `result`.
    pub async fn finish(mut self, result: CheckResult) -> CheckResult {
        let _ = self.session.run("UNSELECT").await;
        let _ = self
            .session
            .run(&format!("DELETE {}", quoted(&self.mailbox)))
            .await;
        self.session.logout().await;
        result
    }
}

/// CREATEs `name`, a name the harness just made up (unique to the run and the check).
/// Dovecot 2.3 (maildir) sometimes answers `NO [ALREADYEXISTS]` to such a CREATE while other
/// sessions of the same user create and delete mailboxes, although the mailbox has just been
/// created: then LIST is asked, and a mailbox it shows is used (noted in the transcript); one
/// it does not show gets the CREATE once more. Anything else that is not OK is a harness
/// problem: the check is about something else (imap.create-delete judges CREATE).
pub async fn create(session: &mut ImapSession, name: &str) -> Result<Reply, Finding> {
    let command = format!("CREATE {}", quoted(name));
    let reply = session.run(&command).await?;
    if reply.is_ok() {
        return Ok(reply);
    }
    if matches!(reply.tagged.text.code, Some(Code::AlreadyExists)) {
        let listed = session.run(&format!("LIST \"\" {}", quoted(name))).await?;
        if listed.data().next().is_some() {
            session.conn.note(format!(
                "the server answered ALREADYEXISTS to creating {name}, a name never used before, \
                 and LIST shows the mailbox: it was created; going on"
            ));
            return Ok(reply);
        }
        session.conn.note(format!(
            "the server answered ALREADYEXISTS to creating {name}, which LIST does not show: \
             CREATE tried once more"
        ));
        return session.must(&command).await;
    }
    Err(Finding::harness(format!(
        "{command} failed: {}",
        reply.show_tagged()
    )))
}

/// APPENDs `message` with `flags` (`(\\Seen)` or empty) to `mailbox`.
pub async fn append(
    session: &mut ImapSession,
    mailbox: &str,
    flags: &str,
    message: &[u8],
) -> Result<Reply, Finding> {
    let mut text = format!("APPEND {} ", quoted(mailbox)).into_bytes();
    if !flags.is_empty() {
        text.extend_from_slice(flags.as_bytes());
        text.push(b' ');
    }
    text.extend_from_slice(&literal(message));
    let reply = session
        .run_with(
            &text,
            groupwire_imap::command::LiteralPolicy::Synchronizing,
            false,
        )
        .await?;
    if reply.is_ok() {
        Ok(reply)
    } else {
        Err(Finding::harness(format!(
            "APPEND failed: {}",
            reply.show_tagged()
        )))
    }
}
