with

source as (

    select * from `cold-email-local.cold_email_raw.dnc_list`

),

renamed as (

    select
        translate(trim(source.kind), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as kind,
        case
            when translate(trim(source.kind), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'domain'
                then regexp_replace(translate(trim(source.value), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '^(@|www\\.)', '')
            else translate(trim(source.value), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
        end as value,
        source.reason,
        source.source,
        source.added_at

    from source

),

ranked as (

    select
        renamed.*,
        row_number() over (
            partition by renamed.kind, renamed.value
            order by renamed.added_at nulls last, renamed.reason asc nulls last, renamed.source asc nulls last
        ) as row_in_value

    from renamed
    where renamed.kind in ('email', 'domain') and renamed.value is not null and renamed.value <> ''

),

final as (

    select
        value,
        kind,
        reason,
        source,
        added_at

    from ranked
    where row_in_value = 1

)

select * from final
