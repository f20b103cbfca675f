//! Command dispatch: each decoded command to the code that answers it, by session state.

use groupwire_imap::command::{Command, CommandBody};
use groupwire_imap::core::{IString, Tag};
use groupwire_imap::response::namespace::NamespaceDescription;
use groupwire_imap::response::{Capability, Data, IdParameters, Namespace, Status};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::encode::mailbox_text;
use super::{Next, Session};
use crate::faults::Fault;

impl Session {
    /// Answers one command: those of any state and of the authenticated state here or in
    /// their module; those of the selected state through [`Session::selected_command`].
    /// `Some` when the session leaves the command loop (LOGOUT, STARTTLS).
    pub(super) async fn execute<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        command: Command<'static>,
        stream: &mut S,
    ) -> std::io::Result<Option<Next>> {
        let Command { tag, body } = command;
        let tag = &tag;
        let authenticated = self.user.is_some();
        let auth_check = !self.fault(Fault::ImapNoAuthCheck);
        match body {
            CommandBody::Capability => {
                let caps = self.capabilities();
                self.data(Data::Capability(caps.into()));
                self.tagged(tag, Status::Ok, "CAPABILITY completed");
            }
            CommandBody::Noop | CommandBody::Check => {
                if self.fault(Fault::ImapNoopBad) {
                    self.tagged(tag, Status::Bad, "NOOP not supported");
                } else {
                    self.updates();
                    self.tagged(tag, Status::Ok, "NOOP completed");
                }
            }
            CommandBody::Logout => {
                if !self.fault(Fault::ImapLogoutNoBye) {
                    self.status(None, Status::Bye, None, "logging out");
                }
                self.tagged(tag, Status::Ok, "LOGOUT completed");
                self.flush(stream).await?;
                let _ = stream.shutdown().await;
                return Ok(Some(Next::Close));
            }
            CommandBody::StartTls => {
                if self.implicit && self.fault(Fault::ImapImplicitTlsStarttlsOk) {
                    // Says OK, then has no second handshake to offer.
                    self.tagged(tag, Status::Ok, "begin TLS negotiation now");
                    self.flush(stream).await?;
                    return Ok(Some(Next::Close));
                } else if self.tls || self.fault(Fault::ImapNoStarttls) {
                    self.tagged(tag, Status::Bad, "STARTTLS not available");
                } else if self.fault(Fault::ImapStarttlsRefused) {
                    self.tagged(tag, Status::No, "TLS not available right now");
                } else {
                    self.tagged(tag, Status::Ok, "begin TLS negotiation now");
                    self.flush(stream).await?;
                    return Ok(Some(Next::StartTls));
                }
            }
            CommandBody::Login { username, password } => {
                self.login_command(tag, username, password, authenticated)
                    .await
            }
            CommandBody::Authenticate(auth) => {
                self.authenticate(tag, auth, authenticated, stream).await?
            }
            CommandBody::Id(_) => {
                if !self.fault(Fault::ImapIdNoResponse) {
                    let field =
                        |name: &str, value: &str| (IString::from(name), Some(IString::from(value)));
                    self.data(Data::Id(IdParameters(Some(
                        vec![
                            field("name", "groupwire reference"),
                            field("version", "0.1"),
                        ]
                        .into(),
                    ))));
                }
                self.tagged(tag, Status::Ok, "ID completed");
            }
            CommandBody::Enable(caps) => {
                if !authenticated && auth_check {
                    self.tagged(tag, Status::Bad, "log in first");
                } else {
                    let mut enabled = Vec::new();
                    for cap in caps {
                        let name = cap.as_str().to_ascii_uppercase();
                        if name == "CONDSTORE" || name == "QRESYNC" {
                            self.enable_condstore();
                            if name == "QRESYNC" {
                                self.qresync = true;
                                enabled.push(Capability::QResync);
                            } else {
                                enabled.push(Capability::CondStore);
                            }
                        }
                    }
                    if !self.fault(Fault::ImapEnableSilent) {
                        self.data(Data::Enabled(enabled.into()));
                    }
                    self.tagged(tag, Status::Ok, "ENABLE completed");
                }
            }
            _ if !authenticated && auth_check => {
                self.tagged(
                    tag,
                    Status::Bad,
                    "command not valid in the not-authenticated state",
                );
            }
            CommandBody::Namespace => {
                // One personal namespace, "" with "/" (none with `imap-namespace-empty`).
                let personal = NamespaceDescription {
                    prefix: IString::from(""),
                    delimiter: Some(b'/'),
                    extensions: Vec::new().into(),
                };
                self.data(Data::Namespace(Namespace {
                    personal: (!self.fault(Fault::ImapNamespaceEmpty))
                        .then(|| vec![personal].into()),
                    other_users: None,
                    shared: None,
                }));
                self.tagged(tag, Status::Ok, "NAMESPACE completed");
            }
            CommandBody::Select(select) => {
                let condstore = select
                    .params
                    .iter()
                    .any(|p| !matches!(p, groupwire_imap::command::select::SelectParam::Other(_)));
                let qresync = select.params.iter().find_map(|p| match p {
                    groupwire_imap::command::select::SelectParam::Qresync(q) => {
                        Some((q.uid_validity, q.mod_seq))
                    }
                    _ => None,
                });
                self.select(
                    tag,
                    &mailbox_text(&select.mailbox),
                    false,
                    condstore,
                    qresync,
                );
            }
            CommandBody::Examine(select) => {
                let condstore = !select.params.is_empty();
                self.select(tag, &mailbox_text(&select.mailbox), true, condstore, None);
            }
            CommandBody::Create(create) => self.create(tag, create),
            CommandBody::Delete(name) => self.delete(tag, name),
            CommandBody::Rename { from, to } => self.rename(tag, from, to),
            CommandBody::Subscribe(name) => self.subscribe(tag, name),
            CommandBody::Unsubscribe(name) => self.unsubscribe(tag, name),
            CommandBody::List(list) => self.list_command(tag, list),
            CommandBody::Lsub { reference, pattern } => self.lsub(tag, reference, pattern),
            CommandBody::Status(status) => self.mailbox_status(tag, status),
            CommandBody::Append(append) => self.append(tag, append),
            CommandBody::Idle => {
                if !self.tls && auth_check && !authenticated {
                    self.tagged(tag, Status::Bad, "log in first");
                } else {
                    self.idle(tag, stream).await?;
                }
            }
            CommandBody::Unknown(unknown) => {
                if self.fault(Fault::ImapUnknownCommandOk) {
                    self.tagged(tag, Status::Ok, "done");
                } else {
                    self.tagged(
                        tag,
                        Status::Bad,
                        &format!("unknown command {}", unknown.name.to_str_lossy()),
                    );
                }
            }
            body => self.selected_command(tag, body),
        }
        Ok(None)
    }

    /// Answers a command of the selected state (BAD, or OK with `imap-no-selected-check`,
    /// when no mailbox is selected).
    pub(super) fn selected_command(&mut self, tag: &Tag<'_>, body: CommandBody<'static>) {
        let Some(selected) = self.selected.as_ref() else {
            if self.fault(Fault::ImapNoSelectedCheck) {
                self.tagged(tag, Status::Ok, "nothing selected, nothing done");
            } else {
                self.tagged(tag, Status::Bad, "no mailbox selected");
            }
            return;
        };
        let name = selected.name.clone();
        let read_only = selected.read_only;
        match body {
            CommandBody::Fetch(fetch) => self.fetch(tag, &name, read_only, fetch),
            CommandBody::Store(store) => self.store(tag, &name, read_only, store),
            CommandBody::Copy { uid, set, mailbox } => {
                self.copy(tag, &name, uid, &set, &mailbox_text(&mailbox), false)
            }
            CommandBody::Move { uid, set, mailbox } => {
                self.copy(tag, &name, uid, &set, &mailbox_text(&mailbox), true)
            }
            CommandBody::Expunge => {
                if read_only {
                    self.tagged(tag, Status::No, "mailbox is read-only");
                    return;
                }
                if !self.fault(Fault::ImapExpungeIgnored) {
                    self.expunge(&name, None);
                }
                self.updates();
                self.tagged(tag, Status::Ok, "EXPUNGE completed");
            }
            CommandBody::UidExpunge(set) => {
                let uids: Vec<u32> = if self.fault(Fault::ImapUidExpungeAll) {
                    self.selected
                        .as_ref()
                        .map(|s| s.uids.clone())
                        .unwrap_or_default()
                } else {
                    self.resolve(&set, true)
                        .into_iter()
                        .map(|(_, u)| u)
                        .collect()
                };
                self.expunge(&name, Some(&uids));
                self.updates();
                self.tagged(tag, Status::Ok, "UID EXPUNGE completed");
            }
            CommandBody::Close => {
                if !read_only && !self.fault(Fault::ImapCloseNoExpunge) {
                    self.expunge(&name, None);
                }
                self.selected = None;
                self.tagged(tag, Status::Ok, "CLOSE completed");
            }
            CommandBody::Unselect => {
                if self.fault(Fault::ImapUnselectExpunges) {
                    self.expunge(&name, None);
                }
                self.selected = None;
                self.tagged(tag, Status::Ok, "UNSELECT completed");
            }
            CommandBody::Search(search) => self.search_command(tag, &name, search),
            CommandBody::Sort(sort) => self.sort(tag, &name, sort),
            CommandBody::Thread(thread) => self.thread(tag, &name, thread),
            CommandBody::Unknown(unknown) => {
                if self.fault(Fault::ImapUnknownCommandOk) {
                    self.tagged(tag, Status::Ok, "done");
                } else {
                    self.tagged(
                        tag,
                        Status::Bad,
                        &format!("unknown command {}", unknown.name.to_str_lossy()),
                    );
                }
            }
            _ => self.tagged(tag, Status::Bad, "command not supported"),
        }
    }
}
