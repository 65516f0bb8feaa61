with

source as (

    select * from `cold-email-local.cold_email_ops.email_verifications`

),

renamed as (

    -- Storage Write appends are at-least-once: a retried append repeats rows exactly; keep one.
    select distinct
        source.run_id,
        translate(trim(source.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as email,
        translate(source.result, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as result,
        source.credits_used,
        source.verified_at

    from source

),

final as (

    select
        renamed.*,
        row_number() over (
            partition by renamed.email
            order by
                case when renamed.result = 'pending' then 1 else 0 end asc nulls last,
                renamed.verified_at desc nulls last,
                renamed.result asc nulls last,
                renamed.run_id asc nulls last,
                renamed.credits_used asc nulls last
        ) = 1 as is_latest_for_email

    from renamed

)

select * from final
