with

source as (

    select * from `cold-email-local.cold_email_ops.email_verifications`

),

renamed as (

    select
        source.run_id,
        lower(trim(source.email)) as email,
        lower(source.result) as result,
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
                case when renamed.result = 'pending' then 1 else 0 end,
                renamed.verified_at desc,
                renamed.result
        ) = 1 as is_latest_for_email

    from renamed

)

select * from final
