with

suppression as (

    select * from `cold-email-local.cold_email_staging.int_suppression`

),

daily as (

    select
        date(suppressed_since) as day,
        reason,
        count(*) as new_suppressions

    from suppression
    group by 1, 2

),

final as (

    select
        day,
        reason,
        new_suppressions,
        sum(new_suppressions) over (
            partition by reason
            order by day asc nulls last
            rows between unbounded preceding and current row
        ) as cumulative_suppressions

    from daily

)

select * from final
