with

listed as (

    select
        CAST(1 AS INT64) as rule_order,
        'invalid_email' as rule,
        true as is_switched_on,
        'The email\'s syntax is invalid.' as description

    union all

    select
        CAST(2 AS INT64) as rule_order,
        'suppressed' as rule,
        true as is_switched_on,
        'The email or its domain is suppressed (int_suppression).' as description

    union all

    select
        CAST(3 AS INT64) as rule_order,
        'disposable' as rule,
        true as is_switched_on,
        'A disposable-mail domain (var exclude_disposable).' as description

    union all

    select
        CAST(4 AS INT64) as rule_order,
        'role_account' as rule,
        true as is_switched_on,
        'A role mailbox such as info@ or sales@ (var exclude_role_accounts).' as description

    union all

    select
        CAST(5 AS INT64) as rule_order,
        'free_mail' as rule,
        false as is_switched_on,
        'A free-mail domain (var exclude_free_mail).' as description

    union all

    select
        CAST(6 AS INT64) as rule_order,
        'in_instantly' as rule,
        true as is_switched_on,
        'A sequence is running, or an add is not settled yet.' as description

    union all

    select
        CAST(7 AS INT64) as rule_order,
        'cooling_down' as rule,
        true as is_switched_on,
        'The email is cooling down after an ended sequence.' as description

    union all

    select
        CAST(8 AS INT64) as rule_order,
        'company_cooling_down' as rule,
        true as is_switched_on,
        'A colleague at the company domain replied (var cooldown_days_company_replied).' as description

    union all

    select
        CAST(9 AS INT64) as rule_order,
        'catch_all' as rule,
        true as is_switched_on,
        'Verified as catch-all within catch_all_recheck_days (vars allow_catch_all, catch_all_recheck_days).' as description

    union all

    select
        CAST(10 AS INT64) as rule_order,
        'no_segment' as rule,
        true as is_switched_on,
        'No segment rule matches the lead.' as description

),

final as (

    select
        rule_order,
        rule,
        is_switched_on,
        description

    from listed

)

select * from final
