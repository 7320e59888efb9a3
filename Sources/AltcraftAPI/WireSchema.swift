import AltcraftWire

/// The types the reference gives the fields of campaign objects, so that answers read from
/// XML (where every leaf is text and a one-element list looks like a single value) show the
/// same numbers, booleans and lists as JSON answers.
public enum WireSchema {
    static let integers: Set<String> = [
        "id", "data_id", "resource_id", "virtual_sender_id", "message_id", "limit", "aglimit_count", "policy_id",
        "watcher_list_id", "watcher_limit", "list_id", "skip_minutes", "total_count", "next_from_id", "saved_id",
    ]
    static let numbers: Set<String> = ["aglimit_percent", "agllimit_percent"]
    static let booleans: Set<String> = [
        "is_active", "is_completed", "for_confirm", "send_email_content", "send_push_content", "send_sms_content",
        "is_random_tracking_prefix", "unconditional_sending", "skip_unique_checking", "profile", "losers",
        "is_new_ch", "is_new_contact", "is_new_sub", "is_status_changed",
    ]
    static let lists: Set<String> = [
        "content", "providers", "ui_tags", "groups", "custom_tracking_domains", "blind_carbon_copy", "start_mins",
        "start_hours", "start_mdays", "start_wdays", "start_months", "start_years",
    ]
    static let strings: Set<String> = [
        "name", "description", "descr", "type", "status", "subid", "channel", "send_channel", "data_type", "updated_user",
        "update_time", "push_sending_mode", "trigger_type", "call_url", "subject", "from_email", "from_name",
        "replyto_email", "replyto_name", "tz", "level", "message", "time", "state", "value",
    ]
    static let integerLists: Set<String> = ["start_mins", "start_hours", "start_mdays", "start_months", "start_years"]

    /// The object with the reference's types applied to the fields it knows; other fields
    /// and values that do not convert are kept as they came.
    ///
    /// A known field the server spells with capitals (`Groups`, and `Id`/`Name` inside them:
    /// the reference shows both spellings) reaches the language under the reference's
    /// lowercase spelling, so `$c.groups` works for every record; were both spellings sent,
    /// both are kept as they came.
    public static func normalized(_ object: WireObject) -> WireObject {
        var result = WireObject()
        for field in object.fields {
            let key = field.key.lowercased()
            let name = key != field.key && isKnown(key) && !object.keys.contains(key) ? key : field.key
            result[name] = normalized(field.value, key: key)
        }
        return result
    }

    static func isKnown(_ key: String) -> Bool {
        integers.contains(key) || numbers.contains(key) || booleans.contains(key) || lists.contains(key)
            || strings.contains(key)
    }

    static func normalized(_ value: WireValue, key: String) -> WireValue {
        if lists.contains(key) {
            guard let items = value.arrayValue else { return value }
            return .array(items.map { item in integerLists.contains(key) ? integer(item) : nested(item) })
        }
        if integers.contains(key) { return integer(value) }
        if numbers.contains(key), case .string = value {
            if let number = value.intValue { return .int(number) }
            if let number = value.doubleValue { return .double(number) }
        }
        if booleans.contains(key), let flag = value.boolValue { return .bool(flag) }
        // XML cannot tell an empty string from nothing.
        if strings.contains(key), value.isNull { return .string("") }
        return nested(value)
    }

    static func nested(_ value: WireValue) -> WireValue {
        if case .object(let object) = value { return .object(normalized(object)) }
        return value
    }

    static func integer(_ value: WireValue) -> WireValue {
        if case .string = value, let number = value.intValue { return .int(number) }
        return value
    }
}

extension CampaignSummary {
    /// Every field of the row, typed as the reference says.
    public var normalized: WireObject { WireSchema.normalized(raw) }
}

extension CampaignRecord {
    /// Every field of the record, typed as the reference says.
    public var normalized: WireObject { WireSchema.normalized(raw) }
}
