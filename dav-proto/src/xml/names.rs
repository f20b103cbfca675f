//! Element names: the known DAV, CalDAV, CardDAV and CalendarServer elements as enums, and
//! [`Name`], which is any element name matched on (namespace, local name), never on prefix.

use std::borrow::Cow;
use std::fmt;

/// The `DAV:` namespace (RFC 4918).
pub const DAV_NS: &str = "DAV:";
/// The CalDAV namespace (RFC 4791).
pub const CALDAV_NS: &str = "urn:ietf:params:xml:ns:caldav";
/// The CardDAV namespace (RFC 6352).
pub const CARDDAV_NS: &str = "urn:ietf:params:xml:ns:carddav";
/// The CalendarServer extension namespace (`getctag` and friends).
pub const CALENDARSERVER_NS: &str = "http://calendarserver.org/ns/";

macro_rules! element_names {
    ($(#[$meta:meta])* $enum:ident, $ns:expr, { $($variant:ident = $local:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub enum $enum {
            $(#[doc = concat!("`", $local, "`")] $variant,)*
        }

        impl $enum {
            /// The namespace URI of these elements.
            pub const NAMESPACE: &'static str = $ns;
            /// Every element of this namespace this crate knows.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The element with local name `local`, if known.
            pub fn from_local(local: &str) -> Option<Self> {
                match local {
                    $($local => Some(Self::$variant),)*
                    _ => None,
                }
            }

            /// The element's local name.
            pub const fn local_name(self) -> &'static str {
                match self {
                    $(Self::$variant => $local,)*
                }
            }
        }
    };
}

element_names! {
    /// Elements of the `DAV:` namespace (RFC 4918, 3744, 3253, 5397, 4331, 6578, 5689).
    Dav, DAV_NS, {
        ActiveLock = "activelock",
        AllProp = "allprop",
        Collection = "collection",
        Depth = "depth",
        Error = "error",
        Exclusive = "exclusive",
        Href = "href",
        Include = "include",
        Location = "location",
        LockDiscovery = "lockdiscovery",
        LockEntry = "lockentry",
        LockInfo = "lockinfo",
        LockRoot = "lockroot",
        LockScope = "lockscope",
        LockToken = "locktoken",
        LockType = "locktype",
        Multistatus = "multistatus",
        Owner = "owner",
        Prop = "prop",
        PropertyUpdate = "propertyupdate",
        Propfind = "propfind",
        PropName = "propname",
        PropStat = "propstat",
        Remove = "remove",
        Response = "response",
        ResponseDescription = "responsedescription",
        Set = "set",
        Shared = "shared",
        Status = "status",
        SupportedLock = "supportedlock",
        Timeout = "timeout",
        Write = "write",
        CreationDate = "creationdate",
        DisplayName = "displayname",
        GetContentLanguage = "getcontentlanguage",
        GetContentLength = "getcontentlength",
        GetContentType = "getcontenttype",
        GetEtag = "getetag",
        GetLastModified = "getlastmodified",
        ResourceType = "resourcetype",
        LockTokenMatchesRequestUri = "lock-token-matches-request-uri",
        LockTokenSubmitted = "lock-token-submitted",
        NoConflictingLock = "no-conflicting-lock",
        NoExternalEntities = "no-external-entities",
        PreservedLiveProperties = "preserved-live-properties",
        PropfindFiniteDepth = "propfind-finite-depth",
        CannotModifyProtectedProperty = "cannot-modify-protected-property",
        ResourceMustBeNull = "resource-must-be-null",
        NeedsPrivilege = "needs-privilege",
        Abstract = "abstract",
        Ace = "ace",
        Acl = "acl",
        AclPrincipalPropSet = "acl-principal-prop-set",
        AclRestrictions = "acl-restrictions",
        All = "all",
        AllowedPrincipal = "allowed-principal",
        AlternateUriSet = "alternate-URI-set",
        Authenticated = "authenticated",
        Bind = "bind",
        CurrentUserPrivilegeSet = "current-user-privilege-set",
        Deny = "deny",
        DenyBeforeGrant = "deny-before-grant",
        Description = "description",
        Grant = "grant",
        GrantOnly = "grant-only",
        Group = "group",
        GroupMemberSet = "group-member-set",
        GroupMembership = "group-membership",
        Inherited = "inherited",
        InheritedAclSet = "inherited-acl-set",
        Invert = "invert",
        LimitedNumberOfAces = "limited-number-of-aces",
        Match = "match",
        MissingRequiredPrincipal = "missing-required-principal",
        NeedPrivileges = "need-privileges",
        NoAbstract = "no-abstract",
        NoAceConflict = "no-ace-conflict",
        NoInheritedAceConflict = "no-inherited-ace-conflict",
        NoInvert = "no-invert",
        NoProtectedAceConflict = "no-protected-ace-conflict",
        NotSupportedPrivilege = "not-supported-privilege",
        Principal = "principal",
        PrincipalUrl = "principal-URL",
        PrincipalCollectionSet = "principal-collection-set",
        PrincipalMatch = "principal-match",
        PrincipalProperty = "principal-property",
        PrincipalPropertySearch = "principal-property-search",
        PrincipalSearchProperty = "principal-search-property",
        PrincipalSearchPropertySet = "principal-search-property-set",
        Privilege = "privilege",
        Property = "property",
        PropertySearch = "property-search",
        Protected = "protected",
        Read = "read",
        ReadAcl = "read-acl",
        ReadCurrentUserPrivilegeSet = "read-current-user-privilege-set",
        RecognizedPrincipal = "recognized-principal",
        RequiredPrincipal = "required-principal",
        Resource = "resource",
        SelfPrincipal = "self",
        SupportedPrivilege = "supported-privilege",
        SupportedPrivilegeSet = "supported-privilege-set",
        Unauthenticated = "unauthenticated",
        Unbind = "unbind",
        Unlock = "unlock",
        WriteAcl = "write-acl",
        WriteContent = "write-content",
        WriteProperties = "write-properties",
        ApplyToPrincipalCollectionSet = "apply-to-principal-collection-set",
        CurrentUserPrincipal = "current-user-principal",
        QuotaAvailableBytes = "quota-available-bytes",
        QuotaUsedBytes = "quota-used-bytes",
        QuotaNotExceeded = "quota-not-exceeded",
        SufficientDiskSpace = "sufficient-disk-space",
        SyncCollection = "sync-collection",
        SyncToken = "sync-token",
        SyncLevel = "sync-level",
        Limit = "limit",
        NResults = "nresults",
        ValidSyncToken = "valid-sync-token",
        NumberOfMatchesWithinLimits = "number-of-matches-within-limits",
        SupportedReportSet = "supported-report-set",
        SupportedReport = "supported-report",
        Report = "report",
        ExpandProperty = "expand-property",
        Mkcol = "mkcol",
        MkcolResponse = "mkcol-response",
        ValidResourceType = "valid-resourcetype",
    }
}

element_names! {
    /// Elements of the CalDAV namespace (RFC 4791, RFC 6638).
    CalDav, CALDAV_NS, {
        AllComp = "allcomp",
        AllProp = "allprop",
        Calendar = "calendar",
        CalendarData = "calendar-data",
        CalendarDescription = "calendar-description",
        CalendarHomeSet = "calendar-home-set",
        CalendarMultiget = "calendar-multiget",
        CalendarQuery = "calendar-query",
        CalendarTimezone = "calendar-timezone",
        Comp = "comp",
        CompFilter = "comp-filter",
        Expand = "expand",
        Filter = "filter",
        FreeBusyQuery = "free-busy-query",
        IsNotDefined = "is-not-defined",
        LimitFreebusySet = "limit-freebusy-set",
        LimitRecurrenceSet = "limit-recurrence-set",
        MaxAttendeesPerInstance = "max-attendees-per-instance",
        MaxDateTime = "max-date-time",
        MaxInstances = "max-instances",
        MaxResourceSize = "max-resource-size",
        MinDateTime = "min-date-time",
        Mkcalendar = "mkcalendar",
        MkcalendarResponse = "mkcalendar-response",
        NoUidConflict = "no-uid-conflict",
        ParamFilter = "param-filter",
        Prop = "prop",
        PropFilter = "prop-filter",
        ReadFreeBusy = "read-free-busy",
        SupportedCalendarComponentSet = "supported-calendar-component-set",
        SupportedCalendarData = "supported-calendar-data",
        SupportedCollation = "supported-collation",
        SupportedCollationSet = "supported-collation-set",
        SupportedFilter = "supported-filter",
        TextMatch = "text-match",
        TimeRange = "time-range",
        Timezone = "timezone",
        CalendarCollectionLocationOk = "calendar-collection-location-ok",
        InitializeCalendarCollection = "initialize-calendar-collection",
        SupportedCalendarComponent = "supported-calendar-component",
        ValidCalendarData = "valid-calendar-data",
        ValidCalendarObjectResource = "valid-calendar-object-resource",
        ValidFilter = "valid-filter",
        AllowedAttendeeSchedulingObjectChange = "allowed-attendee-scheduling-object-change",
        AllowedOrganizerSchedulingObjectChange = "allowed-organizer-scheduling-object-change",
        CalendarUserAddressSet = "calendar-user-address-set",
        CalendarUserType = "calendar-user-type",
        DefaultCalendarNeeded = "default-calendar-needed",
        Opaque = "opaque",
        Recipient = "recipient",
        RequestStatus = "request-status",
        Response = "response",
        SameOrganizerInAllComponents = "same-organizer-in-all-components",
        ScheduleCalendarTransp = "schedule-calendar-transp",
        ScheduleDefaultCalendarUrl = "schedule-default-calendar-URL",
        ScheduleDeliver = "schedule-deliver",
        ScheduleDeliverInvite = "schedule-deliver-invite",
        ScheduleDeliverReply = "schedule-deliver-reply",
        ScheduleInbox = "schedule-inbox",
        ScheduleInboxUrl = "schedule-inbox-URL",
        ScheduleOutbox = "schedule-outbox",
        ScheduleOutboxUrl = "schedule-outbox-URL",
        ScheduleQueryFreebusy = "schedule-query-freebusy",
        ScheduleResponse = "schedule-response",
        ScheduleSend = "schedule-send",
        ScheduleSendFreebusy = "schedule-send-freebusy",
        ScheduleSendInvite = "schedule-send-invite",
        ScheduleSendReply = "schedule-send-reply",
        ScheduleTag = "schedule-tag",
        Transparent = "transparent",
        UniqueSchedulingObjectResource = "unique-scheduling-object-resource",
        ValidOrganizer = "valid-organizer",
        ValidScheduleDefaultCalendarUrl = "valid-schedule-default-calendar-URL",
        ValidSchedulingMessage = "valid-scheduling-message",
    }
}

element_names! {
    /// Elements of the CardDAV namespace (RFC 6352).
    CardDav, CARDDAV_NS, {
        AddressData = "address-data",
        AddressDataType = "address-data-type",
        Addressbook = "addressbook",
        AddressbookDescription = "addressbook-description",
        AddressbookHomeSet = "addressbook-home-set",
        AddressbookMultiget = "addressbook-multiget",
        AddressbookQuery = "addressbook-query",
        AllProp = "allprop",
        Filter = "filter",
        IsNotDefined = "is-not-defined",
        Limit = "limit",
        MaxResourceSize = "max-resource-size",
        NoUidConflict = "no-uid-conflict",
        NResults = "nresults",
        ParamFilter = "param-filter",
        PrincipalAddress = "principal-address",
        Prop = "prop",
        PropFilter = "prop-filter",
        SupportedAddressData = "supported-address-data",
        SupportedCollation = "supported-collation",
        SupportedCollationSet = "supported-collation-set",
        SupportedFilter = "supported-filter",
        TextMatch = "text-match",
        AddressbookCollectionLocationOk = "addressbook-collection-location-ok",
        SupportedAddressDataConversion = "supported-address-data-conversion",
        ValidAddressData = "valid-address-data",
    }
}

element_names! {
    /// Elements of the CalendarServer extension namespace.
    CalendarServer, CALENDARSERVER_NS, {
        GetCtag = "getctag",
        CalendarProxyRead = "calendar-proxy-read",
        CalendarProxyWrite = "calendar-proxy-write",
        Shared = "shared",
    }
}

/// A namespace-qualified name outside the known sets: (namespace URI, local name).
///
/// The empty namespace is the "no namespace" of an unprefixed element under `xmlns=""`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedName<'a> {
    /// The namespace URI ("" for none).
    pub namespace: Cow<'a, str>,
    /// The local name.
    pub local: Cow<'a, str>,
}

/// Any element name, as (namespace, local name). Known names are enum variants; build names
/// with [`Name::new`] so a known pair never ends up in [`Name::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Name<'a> {
    /// A `DAV:` element.
    Dav(Dav),
    /// A CalDAV element.
    CalDav(CalDav),
    /// A CardDAV element.
    CardDav(CardDav),
    /// A CalendarServer element.
    CalendarServer(CalendarServer),
    /// Any other element.
    Other(QualifiedName<'a>),
}

impl<'a> Name<'a> {
    /// The name for (`namespace`, `local`), a known variant when there is one.
    pub fn new(namespace: impl Into<Cow<'a, str>>, local: impl Into<Cow<'a, str>>) -> Self {
        let namespace = namespace.into();
        let local = local.into();
        let known = match &*namespace {
            DAV_NS => Dav::from_local(&local).map(Name::Dav),
            CALDAV_NS => CalDav::from_local(&local).map(Name::CalDav),
            CARDDAV_NS => CardDav::from_local(&local).map(Name::CardDav),
            CALENDARSERVER_NS => CalendarServer::from_local(&local).map(Name::CalendarServer),
            _ => None,
        };
        known.unwrap_or(Name::Other(QualifiedName { namespace, local }))
    }

    /// The namespace URI.
    pub fn namespace(&self) -> &str {
        match self {
            Name::Dav(_) => DAV_NS,
            Name::CalDav(_) => CALDAV_NS,
            Name::CardDav(_) => CARDDAV_NS,
            Name::CalendarServer(_) => CALENDARSERVER_NS,
            Name::Other(q) => &q.namespace,
        }
    }

    /// The local name.
    pub fn local_name(&self) -> &str {
        match self {
            Name::Dav(n) => n.local_name(),
            Name::CalDav(n) => n.local_name(),
            Name::CardDav(n) => n.local_name(),
            Name::CalendarServer(n) => n.local_name(),
            Name::Other(q) => &q.local,
        }
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Name<'static> {
        match self {
            Name::Dav(n) => Name::Dav(n),
            Name::CalDav(n) => Name::CalDav(n),
            Name::CardDav(n) => Name::CardDav(n),
            Name::CalendarServer(n) => Name::CalendarServer(n),
            Name::Other(q) => Name::Other(QualifiedName {
                namespace: Cow::Owned(q.namespace.into_owned()),
                local: Cow::Owned(q.local.into_owned()),
            }),
        }
    }
}

impl From<Dav> for Name<'_> {
    fn from(n: Dav) -> Self {
        Name::Dav(n)
    }
}

impl From<CalDav> for Name<'_> {
    fn from(n: CalDav) -> Self {
        Name::CalDav(n)
    }
}

impl From<CardDav> for Name<'_> {
    fn from(n: CardDav) -> Self {
        Name::CardDav(n)
    }
}

impl From<CalendarServer> for Name<'_> {
    fn from(n: CalendarServer) -> Self {
        Name::CalendarServer(n)
    }
}

/// Clark notation: `{namespace}local`.
impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}{}", self.namespace(), self.local_name())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Name<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
