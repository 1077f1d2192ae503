"""The raw name tables read by names.py: "Name weight" pairs, whitespace separated.

Kept as text so the tables read like the published lists they are shaped on. "_" stands for
a space inside a name. Edit the numbers freely: names.py normalises them.
"""

from __future__ import annotations

# Per naming era (born 2010 on, 1990-2009, 1965-1989, before 1965): (male table, female table).
GIVEN_BY_ERA: tuple[tuple[str, str], ...] = (
    (
        """Oliver 30 George 25 Harry 25 Noah 22 Jack 22 Leo 20 Arthur 20 Muhammad 18 Oscar 18
        Charlie 18 Jacob 16 Thomas 15 Freddie 15 Alfie 16 Theo 15 William 14 Archie 15
        Henry 12 Joshua 12 James 12 Ethan 12 Isaac 10 Teddy 10 Logan 10 Mason 10 Alexander 8
        Lucas 8 Finley 8 Riley 8 Max 8 Samuel 8 Reggie 6 Tommy 6 Albie 6 Louie 6 Ronnie 6
        Daniel 6 Benjamin 6 Harrison 6 Jayden 5 Mohammed 4 Filip 2 Oskar 2 Ibrahim 3""",
        """Olivia 28 Amelia 25 Isla 20 Ava 20 Ivy 15 Freya 15 Lily 18 Florence 12 Mia 15
        Willow 12 Rosie 12 Sophia 12 Isabella 12 Grace 12 Daisy 12 Sienna 10 Poppy 14 Elsie 10
        Emily 12 Ella 12 Evelyn 10 Phoebe 8 Sofia 8 Evie 12 Charlotte 10 Harper 8 Millie 8
        Matilda 8 Ruby 10 Isabelle 6 Maisie 8 Eleanor 6 Layla 6 Jessica 6 Esme 6 Aria 6
        Hallie 4 Aisha 3 Maryam 3 Zofia 2 Amira 3 Abigail 5""",
    ),
    (
        """Jack 30 Thomas 28 James 28 Joshua 25 Daniel 22 Ryan 18 Luke 18 Matthew 18 Callum 15
        Liam 15 Jordan 15 Lewis 12 Connor 15 Samuel 15 Benjamin 15 Joseph 14 William 12 Jake 12
        Bradley 10 Alexander 10 Kieran 10 Nathan 12 Adam 12 Harry 12 Charlie 8 Oliver 10
        Kyle 8 Aaron 8 Reece 8 Ethan 10 Tyler 8 Jamie 8 Dylan 8 George 6 Christopher 10
        Michael 8 Mohammed 8 Muhammad 4 Jakub 3 Kacper 2 Jonathan 5 Robert 5""",
        """Jessica 25 Emily 25 Sophie 25 Chloe 22 Lauren 20 Hannah 20 Charlotte 18 Amy 18
        Megan 18 Rebecca 15 Bethany 15 Olivia 10 Holly 12 Ellie 12 Katie 12 Jade 12 Lucy 14
        Emma 12 Georgia 12 Laura 10 Abigail 8 Amelia 6 Samantha 8 Shannon 8 Courtney 8
        Natalie 6 Danielle 8 Leah 8 Paige 8 Victoria 6 Eleanor 6 Grace 10 Zoe 6 Stacey 4
        Alexandra 5 Katherine 4 Aisha 3 Fatima 3 Zuzanna 2 Julia 3 Elizabeth 5 Jennifer 4""",
    ),
    (
        """David 30 Paul 35 Mark 35 Andrew 30 Richard 22 Stephen 22 Christopher 30 Michael 28
        Darren 20 Lee 18 Jason 18 Ian 18 Simon 18 Matthew 20 James 22 Daniel 18 Robert 18
        Gary 18 Craig 15 Wayne 12 Dean 12 Neil 15 Martin 15 Anthony 12 Jonathan 12 Carl 10
        Scott 10 Kevin 12 Shaun 8 Steven 12 John 15 Peter 10 Thomas 8 William 8 Nicholas 10
        Adam 8 Russell 6 Mohammed 6 Imran 3 Tomasz 3 Piotr 3 Edward 4""",
        """Sarah 30 Claire 25 Nicola 25 Emma 22 Lisa 22 Joanne 20 Michelle 20 Helen 20 Karen 20
        Rachel 18 Louise 18 Kelly 15 Julie 15 Tracey 15 Donna 12 Samantha 15 Elizabeth 12
        Amanda 12 Victoria 12 Rebecca 12 Catherine 10 Katherine 8 Jennifer 8 Deborah 10
        Angela 10 Kerry 10 Gemma 10 Alison 10 Jacqueline 6 Dawn 8 Natalie 8 Kimberley 6
        Stacey 6 Hayley 8 Laura 10 Zoe 6 Susan 6 Fatima 3 Agnieszka 2 Katarzyna 2 Christine 4""",
    ),
    (
        """John 60 David 50 Michael 40 Peter 35 Robert 32 William 30 James 30 Brian 25 Alan 25
        Anthony 22 Richard 22 Kenneth 20 Keith 20 Colin 18 Christopher 18 Stephen 18 Derek 15
        Geoffrey 14 Roger 14 Graham 14 Ronald 14 Barry 13 Terence 12 Raymond 12 George 12
        Malcolm 10 Trevor 10 Dennis 10 Thomas 10 Frank 8 Roy 8 Gordon 8 Leslie 7 Arthur 7
        Harold 6 Eric 6 Norman 6 Edward 6 Philip 10 Paul 12 Frederick 5 Mohammed 3""",
        """Margaret 45 Susan 40 Patricia 35 Christine 30 Linda 30 Elizabeth 25 Mary 28 Janet 25
        Barbara 22 Sandra 20 Carol 20 Jean 20 Pauline 18 Valerie 15 Maureen 15 Ann 20
        Jacqueline 15 Kathleen 12 Brenda 12 Sheila 12 Doreen 8 Joan 12 Gillian 12 Pamela 12
        Elaine 10 Dorothy 10 Irene 8 Joyce 8 Julie 8 Wendy 10 Diane 10 Jennifer 10 Catherine 8
        Katherine 4 Lesley 6 Rita 6 Hazel 6 Shirley 8 Anne 10 Deborah 6""",
    ),
)

FAMILY = """
Smith 126 Jones 75 Taylor 60 Brown 55 Williams 54 Wilson 45 Johnson 43 Davies 40 Robinson 38
Wright 38 Thompson 37 Evans 35 Walker 35 White 33 Roberts 32 Green 31 Hall 31 Wood 30
Jackson 30 Clarke 29 Patel 25 Hill 24 Harris 24 Turner 24 Cooper 23 Martin 23 Baker 22
Ward 22 King 22 Moore 21 Lee 21 Allen 20 Harrison 20 Morris 20 Clark 19 Parker 19 Young 19
Mitchell 18 Cook 18 Bell 18 Bailey 17 Richardson 17 Carter 17 Shaw 17 Marshall 17 Lewis 17
Hughes 16 Edwards 16 Kelly 16 Khan 16 Collins 15 Adams 15 Chapman 15 Mason 15 Webb 15
Simpson 15 Rogers 14 Stevens 14 Holmes 14 Barker 14 Lane 13 Watson 13 Pearson 13 Gray 13
Ellis 13 Fletcher 12 Foster 12 Griffiths 12 Hudson 12 Jenkins 12 Lloyd 12 Marriott 12
Murray 12 Owen 12 Palmer 12 Russell 12 Spencer 12 Stewart 12 Butler 11 Dixon 11 Gibson 11
Graham 11 Hunt 11 Knight 11 Mills 11 Morgan 11 Newton 11 Price 11 Reynolds 11 Saunders 11
Stone 11 Townsend 10 Wells 10 Atkinson 10 Barnes 10 Booth 10 Bradley 10 Brooks 10
Burton 10 Cartwright 10 Cross 10 Dawson 10 Fisher 10 Ford 10 Hardy 10 Hopkinson 10 Hussain 10
Kirk 10 Lambert 10 Barlow 9 Bettison 6 Gascoigne 5 Hind 6 Cresswell 7 Wragg 6 Straw 5
Ali 9 Ahmed 9 Begum 7 Singh 8 Kaur 6 Sharma 4 Mahmood 5 Akhtar 4 Iqbal 4 Rahman 4 Chaudhry 3
Kowalski 3 Nowak 4 Wisniewski 2 Kaminski 2 Lewandowski 2 Popescu 2 Kazlauskas 1
Murphy 9 O'Brien 6 O'Connor 5 Doyle 5 Byrne 4 McDonald 7 Campbell 7 Anderson 8 Scott 9
Reid 6 Ross 6 Grant 6 Hamilton 5 Francis 6 Henderson 6 Nicholson 6 Pickering 5 Rowe 6
Sutton 6 Tomlinson 7 Wain 4 Whitehead 7 Wilkinson 8 Wilde 5 Woodward 6 Buxton 5 Bramley 4
Smith-Jones 2 Taylor-Brown 1 Mensah 2 Okafor 2 Adeyemi 2 Nguyen 2 Chen 3 Wong 2
"""

# Rare surnames are a head and a tail joined: Ashworth, Bradley, Thornfield, Wadcroft...
RARE_HEADS = """Ash Bar Black Brad Bright Brom Cal Card Chad Cres Dar Dun Elm Fair Farn Gar
Glad Good Gran Hal Hard Haw Hol Hunt Kirk Lang Lin Mar Mel Mid Mill Mor Nor Pen Pick Ral Red
Rid Rod Sand Shel Stan Stock Thorn Tip Wad Wal War Wel Whit Wil Win Wool Wyn Ald Bird Brack
Cog Cot Dray Ep Fen Fox Gis Heb Ing Kel Lud Net Oak Pad Quen Rams Sher Tad Ux Ver"""
RARE_TAILS = """by croft dale ford ham hurst ley ton well wood worth field wick stone more son
ridge combe land bury brook cliffe thwaite shaw"""

# formal=short/short: the names people go by, as they end up in other agencies' records.
NICKNAMES = """
William=Bill/Will/Billy Robert=Bob/Rob/Bobby Richard=Rick/Richie/Dick James=Jim/Jamie/Jimmy
Thomas=Tom/Tommy Michael=Mike/Mick Christopher=Chris Anthony=Tony Daniel=Dan/Danny
Matthew=Matt Joseph=Joe Samuel=Sam Benjamin=Ben Alexander=Alex Edward=Ed/Ted/Eddie
Jonathan=Jon Nicholas=Nick Stephen=Steve Steven=Steve Andrew=Andy David=Dave Peter=Pete
Kenneth=Ken Ronald=Ron Charlie=Charles Frederick=Fred Harold=Harry Henry=Harry Oliver=Ollie
Jacob=Jake Joshua=Josh Nathan=Nate Raymond=Ray Terence=Terry Geoffrey=Geoff Leslie=Les
Gordon=Gordy Derek=Del Trevor=Trev Philip=Phil Alfie=Alfred Freddie=Frederick
Katherine=Kate/Katie/Kath Catherine=Cathy/Kate Elizabeth=Liz/Beth/Lizzie
Margaret=Maggie/Peggy/Margie Jennifer=Jenny/Jen Rebecca=Becky/Becca Samantha=Sam/Sammy
Victoria=Vicky/Tori Deborah=Debbie/Debs Susan=Sue/Susie Patricia=Pat/Trish Jacqueline=Jackie
Christine=Chris/Chrissie Alexandra=Alex/Lexi Abigail=Abbie/Abi Charlotte=Lottie/Charlie
Jessica=Jess/Jessie Olivia=Liv/Livvy Amelia=Millie/Mia Isabella=Bella/Izzy Eleanor=Ellie/Nell
Emily=Em/Emmy Natalie=Nat Kimberley=Kim Gillian=Gill Pamela=Pam Sandra=Sandy Dorothy=Dot
Barbara=Babs Joanne=Jo Nicola=Nicky Michelle=Shell Rachel=Rach Danielle=Dani Stacey=Stace
Florence=Flo Matilda=Tilly Hannah=Han Kathleen=Kath Valerie=Val Maureen=Mo Josephine=Jo
"""
