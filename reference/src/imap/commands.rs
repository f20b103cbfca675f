//! Command dispatch: each decoded command to the code that answers it, by session state.

use std::collections::BTreeSet;
use std::sync::Arc;

use groupwire_imap::IntoOwned;
use groupwire_imap::command::fetch::{FetchAttributeName, FetchItems};
use groupwire_imap::command::mailbox::StatusItemName;
use groupwire_imap::command::sort::SortKey;
use groupwire_imap::command::store::StoreAction;
use groupwire_imap::command::{Command, CommandBody};
use groupwire_imap::core::{Atom, IString, Tag};
use groupwire_imap::response::mailbox_status::StatusItem;
use groupwire_imap::response::namespace::NamespaceDescription;
use groupwire_imap::response::{
    Capability, Code, Data, IdParameters, MailboxStatus, Namespace, Status,
};
use groupwire_imap::stream::server::ServerState;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::encode::{
    count, date_time_seconds, flag_text, flags_fetch, mailbox_text, nz, uid_list, wire_name,
};
use super::list::{ListOptions, pattern_text};
use super::search::{SortValue, compact_set, has_modseq_key, ordered_subject_thread};
use super::{APPEND_LIMIT, Next, Session};
use crate::faults::Fault;

impl Session {
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
                self.data(Data::Capability(caps));
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
                let user = username.to_str_lossy();
                let password = password.to_str_lossy();
                if !self.tls
                    && !self.fault(Fault::ImapLoginInPlaintext)
                    && !self.fault(Fault::ImapLogindisabledIgnored)
                {
                    self.tagged_code(
                        tag,
                        Status::No,
                        Code::PrivacyRequired,
                        "LOGIN is disabled before STARTTLS",
                    );
                } else if authenticated {
                    self.tagged(tag, Status::Bad, "already authenticated");
                } else if self.fault(Fault::ImapLoginBroken) {
                    self.tagged_code(tag, Status::No, Code::Unavailable, "login service down");
                } else {
                    self.login(tag, &user, &password, false);
                    self.throttle_failed_logins().await;
                }
            }
            CommandBody::Authenticate(auth) => {
                // The decoder enters its AUTHENTICATE state on the command; whatever happens
                // here (initial response, refusal, completed exchange) ends it.
                self.decoder.finish_authentication();
                let mechanism = auth.mechanism.as_str().to_ascii_uppercase();
                let hidden_oauth =
                    mechanism == "OAUTHBEARER" && self.fault(Fault::OauthHiddenBeforeTls);
                if !self.tls
                    && !self.fault(Fault::ImapLoginInPlaintext)
                    && !self.fault(Fault::ImapAuthenticateInPlaintext)
                    && !hidden_oauth
                {
                    self.tagged_code(
                        tag,
                        Status::No,
                        Code::PrivacyRequired,
                        "authentication is disabled before STARTTLS",
                    );
                } else if authenticated {
                    self.tagged(tag, Status::Bad, "already authenticated");
                } else if crate::sasl::MECHANISMS.contains(&mechanism.as_str())
                    && (self.tls || hidden_oauth)
                {
                    let initial = auth.initial_response.map(|data| match data {
                        groupwire_imap::command::auth::SaslData::Empty => Vec::new(),
                        groupwire_imap::command::auth::SaslData::Base64(text) => {
                            text.as_bytes().to_vec()
                        }
                    });
                    self.authenticate_sasl(tag, &mechanism, initial, stream)
                        .await?;
                    self.throttle_failed_logins().await;
                } else if mechanism != "PLAIN" || self.fault(Fault::ImapAuthenticateBroken) {
                    self.tagged(tag, Status::No, "unsupported mechanism");
                } else {
                    let initial = auth
                        .initial_response
                        .filter(|_| !self.fault(Fault::ImapSaslIrIgnored))
                        .map(|data| match data {
                            groupwire_imap::command::auth::SaslData::Empty => Vec::new(),
                            groupwire_imap::command::auth::SaslData::Base64(text) => {
                                text.as_bytes().to_vec()
                            }
                        });
                    let data = match initial {
                        Some(data) => Some(data),
                        None => {
                            self.challenge(b"");
                            self.flush(stream).await?;
                            self.decoder.set_state(ServerState::Authenticate);
                            let response = self.read_sasl(stream).await?;
                            self.decoder.finish_authentication();
                            response
                        }
                    };
                    match data {
                        None if std::mem::take(&mut self.sasl_invalid) => self.tagged(
                            tag,
                            Status::Bad,
                            "the AUTHENTICATE response is not base64 (RFC 9051 §6.2.2)",
                        ),
                        None => self.tagged(tag, Status::Bad, "authentication cancelled"),
                        Some(base64) => {
                            let decoded = groupwire_smtp::SaslPayload(
                                String::from_utf8_lossy(&base64).into_owned().into(),
                            )
                            .decode();
                            let parsed = decoded
                                .as_deref()
                                .and_then(groupwire_smtp::auth::parse_plain_message);
                            match parsed {
                                Some((_, user, password)) => {
                                    let user = String::from_utf8_lossy(user).into_owned();
                                    let password = String::from_utf8_lossy(password).into_owned();
                                    self.login(tag, &user, &password, true);
                                    self.throttle_failed_logins().await;
                                }
                                None => self.tagged(tag, Status::Bad, "invalid SASL PLAIN message"),
                            }
                        }
                    }
                }
            }
            CommandBody::Id(_) => {
                if !self.fault(Fault::ImapIdNoResponse) {
                    let field =
                        |name: &str, value: &str| (IString::from(name), Some(IString::from(value)));
                    self.data(Data::Id(IdParameters(Some(vec![
                        field("name", "groupwire reference"),
                        field("version", "0.1"),
                    ]))));
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
                        self.data(Data::Enabled(enabled));
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
                    extensions: Vec::new(),
                };
                self.data(Data::Namespace(Namespace {
                    personal: (!self.fault(Fault::ImapNamespaceEmpty)).then(|| vec![personal]),
                    other_users: None,
                    shared: None,
                }));
                self.tagged(tag, Status::Ok, "NAMESPACE completed");
            }
            CommandBody::Select(select) | CommandBody::Examine(select) if false => {
                let _ = select;
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
            CommandBody::Create(create) => {
                let mut name = mailbox_text(&create.mailbox);
                // A trailing hierarchy separator only declares the intent to create names
                // below (RFC 9051 §6.3.4): the mailbox is created without it.
                if !self.fault(Fault::ImapCreateKeepsSeparator) {
                    while name.len() > 1 && name.ends_with('/') {
                        name.pop();
                    }
                }
                let result = if self.fault(Fault::ImapCreateIgnored) {
                    Ok(())
                } else {
                    self.with_account(|view| {
                        // The superior names the new one needs are created too (RFC 3501
                        // §6.3.3: the server SHOULD create them).
                        let mut at = 0;
                        while let Some(slash) = name.get(at + 1..).and_then(|r| r.find('/')) {
                            let superior = name.get(..at + 1 + slash).unwrap_or_default();
                            if superior.len() + 1 < name.len() && view.mailbox(superior).is_none() {
                                let _ = view.create(superior);
                            }
                            at += slash + 1;
                        }
                        view.create(&name)
                    })
                    .and_then(|r| r)
                };
                match result {
                    Ok(()) => self.tagged(tag, Status::Ok, "CREATE completed"),
                    Err(error) => {
                        self.tagged_code(tag, Status::No, Code::AlreadyExists, &error.to_string())
                    }
                }
            }
            CommandBody::Delete(name) => {
                let name = mailbox_text(&name);
                match self.with_account(|view| view.delete(&name)).and_then(|r| r) {
                    Ok(()) => self.tagged(tag, Status::Ok, "DELETE completed"),
                    Err(error) => {
                        self.tagged_code(tag, Status::No, Code::NonExistent, &error.to_string())
                    }
                }
            }
            CommandBody::Rename { from, to } => {
                let (from, to) = (mailbox_text(&from), mailbox_text(&to));
                let result = if self.fault(Fault::ImapRenameIgnored) {
                    Ok(())
                } else {
                    self.with_account(|view| view.rename(&from, &to))
                        .and_then(|r| r)
                };
                match result {
                    Ok(()) => self.tagged(tag, Status::Ok, "RENAME completed"),
                    Err(error) => self.tagged(tag, Status::No, &error.to_string()),
                }
            }
            CommandBody::Subscribe(name) | CommandBody::Unsubscribe(name) if false => {
                let _ = name;
            }
            CommandBody::Subscribe(name) => {
                let name = mailbox_text(&name);
                let ignored = self.fault(Fault::ImapSubscribeIgnored);
                let found = self
                    .with_account(|view| {
                        view.mailbox_mut(&name)
                            .map(|m| m.subscribed |= !ignored)
                            .is_some()
                    })
                    .unwrap_or(false);
                if found {
                    self.tagged(tag, Status::Ok, "SUBSCRIBE completed");
                } else {
                    self.tagged_code(tag, Status::No, Code::NonExistent, "no such mailbox");
                }
            }
            CommandBody::Unsubscribe(name) => {
                let name = mailbox_text(&name);
                let _ =
                    self.with_account(|view| view.mailbox_mut(&name).map(|m| m.subscribed = false));
                self.tagged(tag, Status::Ok, "UNSUBSCRIBE completed");
            }
            CommandBody::List(list) => {
                let reference = mailbox_text(&list.reference);
                let utf8_names = self.fault(Fault::ImapMailboxNamesUtf8);
                let patterns: Vec<String> = list
                    .patterns
                    .iter()
                    .map(|p| pattern_text(&p.0.to_str_lossy(), utf8_names))
                    .collect();
                use groupwire_imap::command::list::{ListReturnOption, ListSelectOption};
                let selected = |option: ListSelectOption<'static>| {
                    list.selection.as_ref().is_some_and(|s| s.contains(&option))
                };
                let returned = |option: ListReturnOption<'static>| {
                    list.return_options
                        .as_ref()
                        .is_some_and(|r| r.contains(&option))
                };
                let selection = list.selection.as_deref().unwrap_or_default();
                // Unknown options, selection or return, are BAD (RFC 5258 §3).
                let unknown = selection
                    .iter()
                    .any(|o| matches!(o, ListSelectOption::Other(_)))
                    || list
                        .return_options
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .any(|o| matches!(o, ListReturnOption::Other(_)));
                // RECURSIVEMATCH alone (or with REMOTE only) is BAD (RFC 5258 §3.1).
                let lone_recursive = selected(ListSelectOption::RecursiveMatch)
                    && selection.iter().all(|o| {
                        matches!(
                            o,
                            ListSelectOption::RecursiveMatch | ListSelectOption::Remote
                        )
                    });
                if (unknown || lone_recursive) && !self.fault(Fault::ImapListSelectionLenient) {
                    self.tagged(
                        tag,
                        Status::Bad,
                        if unknown {
                            "unknown LIST option"
                        } else {
                            "RECURSIVEMATCH needs another selection option"
                        },
                    );
                    return Ok(None);
                }
                let options = ListOptions {
                    subscribed_only: selected(ListSelectOption::Subscribed),
                    special_use_only: selected(ListSelectOption::SpecialUse),
                    special_use_returned: returned(ListReturnOption::SpecialUse),
                    recursive_match: selected(ListSelectOption::RecursiveMatch),
                    subscribed_returned: returned(ListReturnOption::Subscribed),
                };
                self.list(tag, &reference, &patterns, options, "LIST");
            }
            CommandBody::Lsub { reference, pattern } => {
                let reference = mailbox_text(&reference);
                let pattern = pattern_text(
                    &pattern.0.to_str_lossy(),
                    self.fault(Fault::ImapMailboxNamesUtf8),
                );
                let options = ListOptions {
                    subscribed_only: true,
                    ..ListOptions::default()
                };
                self.list(tag, &reference, &[pattern], options, "LSUB");
            }
            CommandBody::Status(status) => {
                let name = mailbox_text(&status.mailbox);
                let items: Vec<StatusItemName<'static>> = status
                    .items
                    .into_iter()
                    .map(IntoOwned::into_owned)
                    .collect();
                let wrong = self.fault(Fault::ImapStatusWrongCount);
                let utf8_names = self.fault(Fault::ImapMailboxNamesUtf8);
                let recent_never = self.fault(Fault::ImapRecentNever);
                if items.contains(&StatusItemName::HighestModSeq) {
                    self.enable_condstore();
                }
                let response = self.with_account(|view| {
                    view.mailbox(&name).map(|mailbox| {
                        let mut values = Vec::new();
                        for item in &items {
                            values.push(match item {
                                StatusItemName::Messages => StatusItem::Messages(count(
                                    mailbox.messages.len() + usize::from(wrong),
                                )),
                                StatusItemName::UidNext => StatusItem::UidNext(mailbox.uid_next),
                                StatusItemName::UidValidity => {
                                    StatusItem::UidValidity(mailbox.uid_validity)
                                }
                                StatusItemName::Unseen => {
                                    StatusItem::Unseen(count(mailbox.unseen()))
                                }
                                StatusItemName::Recent => StatusItem::Recent(if recent_never {
                                    0
                                } else {
                                    count(
                                        mailbox
                                            .messages
                                            .iter()
                                            .filter(|m| m.uid > mailbox.recent_claimed)
                                            .count(),
                                    )
                                }),
                                StatusItemName::Deleted => StatusItem::Deleted(count(
                                    mailbox
                                        .messages
                                        .iter()
                                        .filter(|m| m.flags.contains("\\Deleted"))
                                        .count(),
                                )),
                                StatusItemName::Size => StatusItem::Size(mailbox.size()),
                                StatusItemName::HighestModSeq => {
                                    StatusItem::HighestModSeq(mailbox.highest_modseq)
                                }
                                StatusItemName::AppendLimit => {
                                    StatusItem::AppendLimit(Some(APPEND_LIMIT))
                                }
                                StatusItemName::MailboxId => {
                                    match Atom::new(mailbox.mailbox_id.clone()) {
                                        Some(id) => StatusItem::MailboxId(id),
                                        None => continue,
                                    }
                                }
                                _ => continue,
                            });
                        }
                        Data::MailboxStatus(MailboxStatus {
                            mailbox: wire_name(&mailbox.name, utf8_names),
                            items: values,
                        })
                    })
                });
                match response.ok().flatten() {
                    Some(response) => {
                        self.data(response);
                        self.tagged(tag, Status::Ok, "STATUS completed");
                    }
                    None => self.tagged_code(tag, Status::No, Code::NonExistent, "no such mailbox"),
                }
            }
            CommandBody::Append(append) => {
                let name = mailbox_text(&append.mailbox);
                let mut uids = Vec::new();
                let mut validity = 0;
                let mut error = None;
                for message in append.messages {
                    let groupwire_imap::command::append::AppendData::Literal(literal) =
                        message.data
                    else {
                        error = Some((None, "CATENATE is not supported"));
                        break;
                    };
                    if literal.mode == groupwire_imap::core::LiteralMode::NonSync
                        && self.fault(Fault::ImapLiteralPlusRejected)
                    {
                        error = Some((None, "non-synchronising literals are not supported"));
                        break;
                    }
                    let data = literal.data.as_bytes().to_vec();
                    if data.len() as u64 > APPEND_LIMIT
                        && !self.fault(Fault::ImapAppendlimitIgnored)
                    {
                        error = Some((Some(Code::TooBig), "message exceeds APPENDLIMIT"));
                        break;
                    }
                    let flags: BTreeSet<String> = if self.fault(Fault::ImapAppendDropsFlags) {
                        BTreeSet::new()
                    } else {
                        message
                            .flags
                            .unwrap_or_default()
                            .iter()
                            .map(flag_text)
                            .collect()
                    };
                    if self.fault(Fault::ImapAppendLost) {
                        continue;
                    }
                    let user = self.user.clone().unwrap_or_default();
                    let date = message
                        .date
                        .as_ref()
                        .and_then(date_time_seconds)
                        .filter(|_| !self.fault(Fault::ImapAppendDateIgnored));
                    match self
                        .service
                        .store
                        .append(&user, &name, Arc::from(data), flags, date)
                    {
                        Ok((v, uid)) => {
                            validity = v;
                            uids.push(uid);
                        }
                        Err(_) => {
                            error = Some((Some(Code::TryCreate), "no such mailbox"));
                            break;
                        }
                    }
                }
                match error {
                    Some((code, text)) => self.status(Some(tag), Status::No, code, text),
                    None => {
                        self.updates();
                        let appenduid = nz(validity)
                            .zip(uid_list(uids))
                            .filter(|_| !self.fault(Fault::ImapNoAppenduid))
                            .map(|(uid_validity, uids)| Code::AppendUid { uid_validity, uids });
                        self.status(Some(tag), Status::Ok, appenduid, "APPEND completed");
                    }
                }
            }
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
            CommandBody::Fetch(fetch) => {
                let targets = self.resolve(&fetch.set, fetch.uid);
                let items = match fetch.items {
                    FetchItems::All => vec![
                        FetchAttributeName::Flags,
                        FetchAttributeName::InternalDate,
                        FetchAttributeName::Rfc822Size,
                        FetchAttributeName::Envelope,
                    ],
                    FetchItems::Fast => vec![
                        FetchAttributeName::Flags,
                        FetchAttributeName::InternalDate,
                        FetchAttributeName::Rfc822Size,
                    ],
                    FetchItems::Full => vec![
                        FetchAttributeName::Flags,
                        FetchAttributeName::InternalDate,
                        FetchAttributeName::Rfc822Size,
                        FetchAttributeName::Envelope,
                        FetchAttributeName::Body,
                    ],
                    FetchItems::Attributes(items) => items,
                };
                let changed_since = fetch.modifiers.iter().find_map(|m| match m {
                    groupwire_imap::command::fetch::FetchModifier::ChangedSince(n) => Some(*n),
                    _ => None,
                });
                if (changed_since.is_some()
                    || items
                        .iter()
                        .any(|i| matches!(i, FetchAttributeName::ModSeq)))
                    && !self.fault(Fault::ImapCondstoreNotEnabledByFetch)
                {
                    self.enable_condstore();
                }
                // Keywords another session set since this one last looked are announced before
                // a FETCH shows them (RFC 9051 §7.3.5).
                let keywords = self
                    .with_account(|view| view.mailbox(&name).map(|m| m.keywords.clone()))
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                self.announce_keywords(&keywords);
                for (seq, uid) in targets {
                    let response = self.fetch_one(
                        &name,
                        seq,
                        uid,
                        &items,
                        fetch.uid,
                        read_only,
                        changed_since,
                    );
                    if let Some(response) = response {
                        self.data(Data::Fetch(response));
                    }
                }
                self.tagged(tag, Status::Ok, "FETCH completed");
            }
            CommandBody::Store(store) => {
                if read_only {
                    self.tagged(tag, Status::No, "mailbox is read-only");
                    return;
                }
                let targets = self.resolve(&store.set, store.uid);
                let flags: BTreeSet<String> = if self.fault(Fault::ImapKeywordsDropped) {
                    store
                        .flags
                        .iter()
                        .map(flag_text)
                        .filter(|f| f.starts_with('\\'))
                        .collect()
                } else {
                    store.flags.iter().map(flag_text).collect()
                };
                let action = store.action;
                let ignored = self.fault(Fault::ImapStoreIgnored)
                    || (action == StoreAction::Remove && self.fault(Fault::ImapStoreRemoveIgnored));
                let static_modseq = self.fault(Fault::ImapModseqStatic);
                if !store.modifiers.is_empty() {
                    self.enable_condstore();
                }
                let mut results = Vec::new();
                let mut keywords = BTreeSet::new();
                let _ = self.with_account(|view| {
                    if let Some(mailbox) = view.mailbox_mut(&name) {
                        if !ignored && action != StoreAction::Remove {
                            mailbox.learn_keywords(&flags);
                        }
                        keywords = mailbox.keywords.clone();
                        for (seq, uid) in &targets {
                            let Some(position) = mailbox.position_of(*uid) else {
                                continue;
                            };
                            if !ignored {
                                if !static_modseq {
                                    mailbox.highest_modseq += 1;
                                }
                                let modseq = mailbox.highest_modseq;
                                if let Some(message) = mailbox.messages.get_mut(position) {
                                    match action {
                                        StoreAction::Replace => message.flags = flags.clone(),
                                        StoreAction::Add => {
                                            message.flags.extend(flags.iter().cloned())
                                        }
                                        StoreAction::Remove => {
                                            message.flags.retain(|f| !flags.contains(f))
                                        }
                                    }
                                    message.modseq = modseq;
                                }
                            }
                            if let Some(message) = mailbox.messages.get(position) {
                                results.push((*seq, *uid, message.flags.clone(), message.modseq));
                            }
                        }
                    }
                });
                let silent = store.silent && !self.fault(Fault::ImapStoreSilentNoisy);
                self.announce_keywords(&keywords);
                for (seq, uid, flags, modseq) in results {
                    if let Some(selected) = self.selected.as_mut() {
                        selected.known.insert(uid, (flags.clone(), modseq));
                    }
                    if !silent {
                        let fetch = flags_fetch(
                            seq,
                            store.uid.then_some(uid),
                            &flags,
                            self.is_recent(uid),
                            self.condstore.then_some(modseq),
                        );
                        if let Some(fetch) = fetch {
                            self.data(fetch);
                        }
                    }
                }
                self.tagged(tag, Status::Ok, "STORE completed");
            }
            CommandBody::Copy { uid, set, mailbox } | CommandBody::Move { uid, set, mailbox }
                if false =>
            {
                let _ = (uid, set, mailbox);
            }
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
            CommandBody::Search(search) => {
                let found = self.search_modseq(&name, &search.criteria, search.uid);
                let hits: Vec<u32> = found.iter().map(|(n, _)| *n).collect();
                let by_modseq = search.criteria.iter().any(has_modseq_key);
                if by_modseq && !self.fault(Fault::ImapCondstoreNotEnabledByFetch) {
                    self.enable_condstore();
                }
                let modseq = if by_modseq && !self.fault(Fault::ImapSearchModseqNoModseq) {
                    Some(found.iter().map(|(_, m)| *m))
                } else {
                    None
                };
                match search.return_options {
                    Some(options) if !self.fault(Fault::ImapEsearchPlain) => {
                        use groupwire_imap::command::search::SearchReturnOption as Opt;
                        use groupwire_imap::response::search::{ESearch, SearchReturnData};
                        let all_by_default =
                            options.is_empty() && !self.fault(Fault::ImapEsearchEmptyReturnNotAll);
                        let min_max_count = options.is_empty() && !all_by_default;
                        let want = |o: &Opt<'_>| {
                            min_max_count && !matches!(o, Opt::All)
                                || all_by_default && matches!(o, Opt::All)
                                || options.contains(o)
                        };
                        let mut data = Vec::new();
                        let min = hits
                            .iter()
                            .min()
                            .and_then(|n| std::num::NonZeroU32::new(*n));
                        let max = hits
                            .iter()
                            .max()
                            .and_then(|n| std::num::NonZeroU32::new(*n));
                        // RFC 4731 §3.2: the modseq of what is returned.
                        let mut returned: Vec<u32> = Vec::new();
                        if want(&Opt::Min)
                            && let Some(min) = min
                        {
                            data.push(SearchReturnData::Min(min));
                            returned.push(min.get());
                        }
                        if want(&Opt::Max)
                            && let Some(max) = max
                        {
                            data.push(SearchReturnData::Max(max));
                            returned.push(max.get());
                        }
                        if want(&Opt::All) {
                            let mut sorted = hits.clone();
                            sorted.sort_unstable();
                            if let Some(set) = compact_set(&sorted) {
                                data.push(SearchReturnData::All(set));
                            }
                            returned.clone_from(&hits);
                        }
                        if want(&Opt::Count) {
                            data.push(SearchReturnData::Count(
                                u32::try_from(hits.len()).unwrap_or(u32::MAX),
                            ));
                            returned.clone_from(&hits);
                        }
                        if modseq.is_some()
                            && let Some(highest) = found
                                .iter()
                                .filter(|(n, _)| returned.contains(n))
                                .map(|(_, m)| *m)
                                .max()
                        {
                            data.push(SearchReturnData::ModSeq(highest));
                        }
                        let response = Data::ESearch(ESearch {
                            tag: Some(IString::from(tag.as_str())),
                            mailbox: None,
                            uid: search.uid,
                            data,
                        });
                        self.data(response);
                    }
                    _ => {
                        let numbers = groupwire_imap::response::search::NumberList::from_numbers(
                            hits.iter().filter_map(|n| std::num::NonZeroU32::new(*n)),
                        );
                        let response = Data::Search(groupwire_imap::response::search::Search {
                            numbers,
                            modseq: modseq.and_then(Iterator::max),
                        });
                        self.data(response);
                    }
                }
                self.tagged(tag, Status::Ok, "SEARCH completed");
            }
            CommandBody::Sort(sort) => {
                let mut hits = self.search(&name, &sort.search, sort.uid);
                if self.fault(Fault::ImapSortUnsorted) {
                    hits.reverse();
                } else {
                    let keys: Vec<(bool, SortKey<'static>)> = sort
                        .criteria
                        .iter()
                        .map(|c| (c.reverse, c.key.clone()))
                        .collect();
                    let values = self.sort_values(&name, &hits, sort.uid, &keys);
                    let reverse_ties =
                        self.fault(Fault::ImapSortReverseTiebreak) && keys.iter().any(|k| k.0);
                    let mut order: Vec<usize> = (0..hits.len()).collect();
                    order.sort_by(|&a, &b| {
                        for (i, (reverse, _)) in keys.iter().enumerate() {
                            let ka = values.get(a).and_then(|v| v.get(i));
                            let kb = values.get(b).and_then(|v| v.get(i));
                            let ordering = ka.cmp(&kb);
                            let ordering = if *reverse {
                                ordering.reverse()
                            } else {
                                ordering
                            };
                            if ordering != std::cmp::Ordering::Equal {
                                return ordering;
                            }
                        }
                        // RFC 5256 §3: equal keys are ordered by sequence number, whatever
                        // REVERSE says (UIDs ascend with sequence numbers).
                        let ordering = hits.get(a).cmp(&hits.get(b));
                        if reverse_ties {
                            ordering.reverse()
                        } else {
                            ordering
                        }
                    });
                    hits = order
                        .into_iter()
                        .filter_map(|i| hits.get(i).copied())
                        .collect();
                }
                let numbers = groupwire_imap::response::search::NumberList::from_numbers(
                    hits.iter().filter_map(|n| std::num::NonZeroU32::new(*n)),
                );
                let response = Data::Sort(groupwire_imap::response::search::Search {
                    numbers,
                    modseq: None,
                });
                self.data(response);
                self.tagged(tag, Status::Ok, "SORT completed");
            }
            CommandBody::Thread(thread) => {
                let hits = self.search(&name, &thread.search, thread.uid);
                let keys = [(false, SortKey::Subject), (false, SortKey::Date)];
                let values = self.sort_values(&name, &hits, thread.uid, &keys);
                // RFC 5256 §2.1 ORDEREDSUBJECT: messages grouped by base subject, each group
                // sorted by sent date, groups by their first message's sent date.
                let mut groups: Vec<(String, Vec<(SortValue, u32)>)> = Vec::new();
                for (index, n) in hits.iter().enumerate() {
                    let row = values.get(index);
                    let subject = match row.and_then(|r| r.first()) {
                        Some(SortValue::Text(text)) => text.clone(),
                        _ => String::new(),
                    };
                    let date = row
                        .and_then(|r| r.get(1))
                        .cloned()
                        .unwrap_or(SortValue::Number(0));
                    let flat = self.fault(Fault::ImapThreadFlat);
                    match groups.iter_mut().find(|(s, _)| *s == subject && !flat) {
                        Some((_, members)) => members.push((date, *n)),
                        None => groups.push((subject, vec![(date, *n)])),
                    }
                }
                for (_, members) in &mut groups {
                    members.sort();
                }
                groups.sort_by(|a, b| a.1.first().cmp(&b.1.first()));
                let threads: Vec<groupwire_imap::response::thread::Thread> = groups
                    .iter()
                    .map(|(_, members)| {
                        let numbers: Vec<std::num::NonZeroU32> = members
                            .iter()
                            .filter_map(|(_, n)| std::num::NonZeroU32::new(*n))
                            .collect();
                        ordered_subject_thread(&numbers)
                    })
                    .collect();
                self.data(Data::Thread(threads));
                self.tagged(tag, Status::Ok, "THREAD completed");
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
            _ => self.tagged(tag, Status::Bad, "command not supported"),
        }
    }
}
