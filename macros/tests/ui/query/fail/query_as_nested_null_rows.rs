// The rows of an outer join's nullable side can be NULL: the field must be `Vec<Option<Post>>`.
#[derive(quarry::FromRecord, Debug)]
struct Post {
    id: Option<i32>,
}

#[derive(quarry::FromRecord, Debug)]
struct Author {
    #[quarry(nested)]
    posts: Vec<Post>,
}

fn main() {
    let _ = quarry::query_as!(
        Author,
        "SELECT array_agg(p) AS posts
         FROM macro_users u LEFT JOIN macro_posts p ON p.author = u.id GROUP BY u.id"
    );
}
